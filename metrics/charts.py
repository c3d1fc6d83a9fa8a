"""Server-rendered SVG line charts of the weekly trend (no JavaScript; works offline).

``trend_chart(metric, points)`` returns the geometry of one chart: one line per metric over the
12 weeks, TikTok's lines as dashed rules, a point per week with a tooltip (``<title>``); weeks
without orders leave a gap in the line. ``Chart.markup`` draws it (the figure with its SVG and
the weeks as a table), written here rather than in a template: the template language took a
tenth of the metrics page's time for these few hundred numbers.
"""

from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 30


def pct(value, digits=1):
    if value is None:
        return "–"
    text = f"{value * 100:.{digits}f}"
    return f"{text} %"


@dataclass
class Point:
    x: float
    y: float
    label: str
    value_text: str
    detail: str
    complete: bool


@dataclass
class Rule:
    y: float
    css: str
    label: str


@dataclass
class Chart:
    metric: object
    width: int = WIDTH
    height: int = HEIGHT
    points: list = field(default_factory=list)
    segments: list = field(default_factory=list)  # polyline "x,y x,y" strings
    rules: list = field(default_factory=list)
    y_ticks: list = field(default_factory=list)  # (y, text)
    x_ticks: list = field(default_factory=list)  # (x, text)
    weeks: list = field(default_factory=list)  # the WeekPoints, for the table
    plot_left: int = LEFT
    plot_right: int = WIDTH - RIGHT
    plot_top: int = TOP
    plot_bottom: int = HEIGHT - BOTTOM

    @property
    def mid_x(self):
        return (self.plot_left + self.plot_right) / 2

    @property
    def mid_y(self):
        return (self.plot_top + self.plot_bottom) / 2

    @property
    def has_data(self):
        return bool(self.points)

    @property
    def summary(self):
        values = [p for p in self.weeks if p.value is not None]
        if not values:
            return f"{self.metric.name}: no orders in the last {len(self.weeks)} weeks."
        first, last = values[0], values[-1]
        return (f"{self.metric.name} by ISO week: {pct(first.value)} in {first.label}, "
                f"{pct(last.value)} in {last.label}. {self.metric.lines_text()}.")

    @property
    def markup(self):
        """The chart as HTML: a figure with its SVG (titled and described for screen readers) and
        the weekly figures as a table; every text escaped."""
        metric, left, right, bottom = self.metric, self.plot_left, self.plot_right, self.plot_bottom
        key, name = escape(metric.key), escape(metric.name)
        out = [
            f'<figure class="trend-chart" data-metric="{key}">\n  <figcaption>{name}</figcaption>\n',
            f'  <svg viewBox="0 0 {self.width} {self.height}" width="100%" role="img" '
            f'aria-labelledby="chart-{key}-title chart-{key}-desc" xmlns="http://www.w3.org/2000/svg">\n',
            f'    <title id="chart-{key}-title">{name}, last 12 weeks</title>\n',
            f'    <desc id="chart-{key}-desc">{escape(self.summary)}</desc>\n',
            f'    <line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>\n',
        ]
        for y, text in self.y_ticks:
            out.append(f'    <line class="grid" x1="{left}" y1="{y}" x2="{right}" y2="{y}"/>\n'
                       f'    <text class="tick" x="{left - 4}" y="{y}" text-anchor="end" dominant-baseline="middle">'
                       f'{escape(text)}</text>\n')
        for x, text in self.x_ticks:
            out.append(f'    <text class="tick" x="{x}" y="{self.height - 10}" text-anchor="middle">'
                       f'{escape(text)}</text>\n')
        for rule in self.rules:
            out.append(f'    <line class="rule {escape(rule.css)}" x1="{left}" y1="{rule.y}" x2="{right}" '
                       f'y2="{rule.y}"><title>{escape(rule.label)}</title></line>\n')
        for points in self.segments:
            out.append(f'    <polyline class="series" points="{points}"/>\n')
        for p in self.points:
            css = "point" if p.complete else "point incomplete"
            out.append(f'    <circle class="{css}" cx="{p.x}" cy="{p.y}" r="4"><title>{escape(p.label)}: '
                       f'{escape(p.value_text)} ({escape(p.detail)})</title></circle>\n')
        if not self.has_data:
            out.append(f'    <text class="empty" x="{self.mid_x}" y="{self.mid_y}" text-anchor="middle">'
                       "No orders in these weeks</text>\n")
        out.append("  </svg>\n  <details>\n    <summary>Weekly figures as a table</summary>\n"
                   '    <table class="compact">\n      <thead><tr><th scope="col">ISO week</th>'
                   f'<th scope="col" class="num">{escape(metric.short)}</th><th scope="col" class="num">Numerator</th>'
                   '<th scope="col" class="num">Denominator</th></tr></thead>\n      <tbody>\n')
        for w in self.weeks:
            incomplete = "" if w.complete else ' <small class="muted">(incomplete)</small>'
            out.append(f'        <tr><th scope="row">{escape(w.label)}{incomplete}</th>'
                       f'<td class="num">{escape(pct(w.value))}</td><td class="num">{w.numerator}</td>'
                       f'<td class="num">{w.denominator}</td></tr>\n')
        out.append("      </tbody>\n    </table>\n  </details>\n</figure>")
        return mark_safe("".join(out))  # noqa: S308 (every text above is escaped)


def _y_range(metric, values):
    lines = [float(metric.good)] + ([float(metric.enforcement)] if metric.enforcement is not None else [])
    if metric.better == "lower":
        top = max(values + lines) * 1.25
        return 0.0, min(1.0, max(top, max(lines) * 1.5))
    low = min(values + lines)
    return max(0.0, low - max(0.05, (1 - low) * 0.5)), 1.0


def trend_chart(metric, weeks):
    chart = Chart(metric=metric, weeks=weeks)
    values = [w.value for w in weeks if w.value is not None]
    lo, hi = _y_range(metric, values)
    span = (hi - lo) or 1.0
    inner_w = chart.plot_right - chart.plot_left
    inner_h = chart.plot_bottom - chart.plot_top
    step = inner_w / max(1, len(weeks) - 1)

    def y_of(value):
        return round(chart.plot_bottom - (value - lo) / span * inner_h, 1)

    segment = []
    for index, week in enumerate(weeks):
        x = round(chart.plot_left + index * step, 1)
        if index % 2 == (len(weeks) - 1) % 2:
            chart.x_ticks.append((x, f"W{week.label[-2:]}"))
        if week.value is None:
            if len(segment) > 1:
                chart.segments.append(" ".join(segment))
            segment = []
            continue
        y = y_of(week.value)
        segment.append(f"{x},{y}")
        detail = f"{week.numerator} of {week.denominator} {metric.unit}"
        if not week.complete:
            detail += f" (snapshots for {week.days_covered} of {week.days_expected} account-days)"
        chart.points.append(Point(x, y, week.label, pct(week.value), detail, week.complete))
    if len(segment) > 1:
        chart.segments.append(" ".join(segment))
    chart.rules.append(Rule(y_of(float(metric.good)), "good", f"good {pct(float(metric.good), 1)}"))
    if metric.enforcement is not None:
        chart.rules.append(Rule(y_of(float(metric.enforcement)), "enforcement",
                                f"enforcement {pct(float(metric.enforcement), 1)}"))
    for value in (lo, (lo + hi) / 2, hi):
        chart.y_ticks.append((y_of(value), pct(value, 0 if (hi - lo) >= 0.1 else 1)))
    return chart
