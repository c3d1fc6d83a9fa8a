"""The stock count pages: a count a scanner can do, and the cycle-count list of what to count today.

The count is a session kept in the user's Django session (so it survives a reload and works
without JavaScript): the first scan names the bin, each later scan counts one unit of the item
(or the quantity set with the quantity key), and only "Record count" writes, through
``inventory.services.record_count``. Enter in the scan field adds a scan, never records; an empty
scan changes nothing. With ``inventory/count.js`` each scan is posted without reloading and the
session fragment is replaced (``HX-Request``)."""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from inventory import selectors, services
from inventory.forms import CountForm, CycleCountForm
from inventory.models import SKU, Location, StockLevel
from inventory.services.counts import COUNTABLE_KINDS
from sellerhub.access import RoleRequiredMixin
from sellerhub.roles import perm

SESSION_KEY = "inventory_counts"
MAX_SESSIONS = 5
MULTIPLIED = re.compile(r"^(\d{1,6})\*(.*)$")


def _countable(code: str) -> Location | None:
    return Location.objects.filter(code=code, active=True,
                                   kind__in=COUNTABLE_KINDS).first() if code else None


def new_count_id() -> str:
    return f"CNT-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


class CountSession:
    """One count in progress, stored in the Django session: the bin and {sku_id: counted}."""

    def __init__(self, request, count_id: str):
        self.request, self.id = request, count_id
        self.data = request.session.get(SESSION_KEY, {}).get(count_id) or {"location": "", "lines": [], "scans": []}

    @property
    def location_code(self) -> str:
        return self.data["location"]

    @property
    def lines(self) -> dict[int, int]:
        return {int(sku_id): counted for sku_id, counted in self.data["lines"]}

    def save(self):
        store = dict(self.request.session.get(SESSION_KEY, {}))
        store.pop(self.id, None)
        store[self.id] = self.data
        while len(store) > MAX_SESSIONS:
            store.pop(next(iter(store)))
        self.request.session[SESSION_KEY] = store

    def forget(self):
        store = dict(self.request.session.get(SESSION_KEY, {}))
        store.pop(self.id, None)
        self.request.session[SESSION_KEY] = store

    def add(self, sku_id: int, quantity: int):
        lines = self.lines
        lines[sku_id] = lines.get(sku_id, 0) + quantity
        self.data["lines"] = [[s, n] for s, n in lines.items()]
        self.data["scans"].append([sku_id, quantity])

    def undo(self) -> tuple[int, int] | None:
        if not self.data["scans"]:
            return None
        sku_id, quantity = self.data["scans"].pop()
        lines = self.lines
        lines[sku_id] -= quantity
        if not any(s == sku_id for s, _q in self.data["scans"]):
            lines.pop(sku_id)
        self.data["lines"] = [[s, n] for s, n in lines.items()]
        return sku_id, quantity


def _tally(session: CountSession, location: Location | None) -> list[dict]:
    lines = session.lines
    if not lines:
        return []
    skus = SKU.objects.in_bulk(list(lines))
    levels = {lv.sku_id: lv for lv in StockLevel.objects.filter(sku_id__in=list(lines), location=location)} \
        if location else {}
    rows = []
    for sku_id, counted in reversed(list(lines.items())):
        level = levels.get(sku_id)
        on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
        rows.append({"sku": skus.get(sku_id), "counted": counted, "on_hand": on_hand, "reserved": reserved,
                     "difference": counted - on_hand, "short": counted < reserved})
    return rows


class CountView(RoleRequiredMixin, View):
    """Scan a bin, then its items; "Record count" sets on hand to what was scanned."""

    permission_required = perm("work_warehouse")
    template_name = "inventory/count.html"

    def context(self, session: CountSession, *, form=None, scanned=None, result=None, error=None, recorded=None):
        location = _countable(session.location_code)
        return {
            "title": "Stock count", "session": session, "location": location, "tally": _tally(session, location),
            "form": form or CountForm(initial={"session": session.id, "quantity": 1}), "scanned": scanned,
            "result": result, "error": error, "recorded": recorded,
        }

    def respond(self, request, session, status=200, **kwargs):
        context = self.context(session, **kwargs)
        if request.headers.get("HX-Request") == "true":
            return render(request, "inventory/_count_session.html", context, status=status)
        if status == 200 and not kwargs.get("form"):
            if kwargs.get("error"):
                messages.error(request, kwargs["error"])
            elif kwargs.get("result"):
                messages.success(request, kwargs["result"])
            return HttpResponseRedirect(f"{reverse('inventory:count')}?{urlencode({'session': session.id})}")
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        count_id = request.GET.get("session", "")[:40] or new_count_id()
        session = CountSession(request, count_id)
        location = _countable(request.GET.get("location", "").strip())
        if location is not None and not session.lines:
            session.data["location"] = location.code
            session.save()
        return render(request, self.template_name, self.context(session))

    def post(self, request):
        form = CountForm(request.POST)
        if not form.is_valid():  # no session (a stray Enter on a half page): nothing changes
            session = CountSession(request, request.POST.get("session", "")[:40] or new_count_id())
            return self.respond(request, session, status=400, form=form)
        data = form.cleaned_data
        session = CountSession(request, data["session"])
        action = data["action"] or "scan"
        if action == "record":
            return self.record(request, session, form, data["note"])
        if action == "discard":
            session.forget()
            return self.respond(request, CountSession(request, new_count_id()), result="Count discarded: nothing "
                                "was recorded.")
        if action == "undo":
            undone = session.undo()
            session.save()
            if undone is None:
                return self.respond(request, session, error="Nothing to undo.")
            sku = SKU.objects.filter(pk=undone[0]).first()
            return self.respond(request, session, result=f"Undid the last scan: −{undone[1]} {sku}.")
        return self.scan(request, session, data["code"], data["quantity"])

    def scan(self, request, session, code, quantity):
        match = MULTIPLIED.match(code)
        if match:
            quantity, code = int(match.group(1)), match.group(2).strip()
        quantity = 1 if quantity is None else quantity
        if not code:
            return self.respond(request, session)  # an empty scan counts nothing
        if not session.location_code:
            location = _countable(code)
            if location is None:
                sku = selectors.find_sku(code)
                return self.respond(request, session, error=(
                    f"{sku.seller_sku} is an item: scan the bin label first." if sku
                    else f"No bin or warehouse has the code {code}: scan the bin label first."))
            session.data["location"] = location.code
            session.save()
            return self.respond(request, session, result=f"Counting {location.code} · {location.name}: scan each "
                                f"item on the shelf.")
        sku = selectors.find_sku(code)
        if sku is None:
            other = _countable(code)
            if other is not None and not session.lines:
                session.data["location"] = other.code
                session.save()
                return self.respond(request, session, result=f"Counting {other.code} · {other.name} instead.")
            if other is not None:
                return self.respond(request, session, error=(
                    f"{other.code} is another bin: record (F2) or discard (F8) the count of "
                    f"{session.location_code} first."))
            return self.respond(request, session, error=f"Unknown barcode {code}: not counted.")
        session.add(sku.pk, quantity)
        session.save()
        return self.respond(request, session, scanned=sku,
                            result=f"+{quantity} {sku.seller_sku} · {sku.name} (counted {session.lines[sku.pk]})")

    def record(self, request, session, form, note):
        location = _countable(session.location_code)
        if location is None or not session.lines:
            form.add_error(None, "Nothing to record: scan the bin label, then the items on its shelf.")
            return self.respond(request, session, status=400, form=form)
        try:
            outcome = services.record_count(location=location, counts=list(session.lines.items()),
                                            user=request.user, note=note, reference=session.id)
        except services.StockError as exc:
            form.add_error(None, str(exc))
            return self.respond(request, session, status=400, form=form)
        session.forget()
        changes = ", ".join(f"{m.sku.seller_sku} {m.on_hand_change:+d}" if m.on_hand_change
                            else f"{m.sku.seller_sku} no change" for m in outcome.movements)
        text = f"Recorded the count of {location.code}: {changes}."
        if outcome.released:
            orders = len(outcome.released_references)
            units = sum(r.quantity for r in outcome.released)
            text += (f" The shelf was short: {units} reserved unit(s) released from {orders} order(s), now under "
                     f"Needs attention (short after count).")
        fresh = CountSession(request, new_count_id())
        return self.respond(request, fresh, result=text, recorded=outcome)


class CycleCountView(RoleRequiredMixin, TemplateView):
    """What to count today: bins and SKUs with the most movement lately, or not counted for a while."""

    permission_required = perm("work_warehouse")
    template_name = "inventory/count_today.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        defaults = {"days": settings.CYCLE_COUNT_DAYS, "movement_days": settings.CYCLE_COUNT_MOVEMENT_DAYS,
                    "limit": settings.CYCLE_COUNT_LIMIT}
        form = CycleCountForm(self.request.GET or None, initial=defaults)
        values = {**defaults, **({k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {})}
        rows = selectors.cycle_count_due(**values)
        bins: dict[str, dict] = {}
        for row in rows:
            group = bins.setdefault(row.location.code, {"location": row.location, "rows": []})
            group["rows"].append(row)
        context.update(title="Count today", form=form, bins=list(bins.values()), rows=rows, **values,
                       counted_today=selectors.counted_today())
        return context
