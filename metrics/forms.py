"""The window and scope the metrics page, its order lists and the API read from the query string."""

import datetime as dt

from django import forms

from metrics.definitions import MAX_WINDOW_DAYS
from metrics.selectors import MetricsInputError, Window, default_window, resolve_scope
from sellerhub.models import Channel

ISO_DATE = ["%Y-%m-%d"]


def _date_field(label, help_text):
    return forms.DateField(label=label, required=False, input_formats=ISO_DATE, help_text=help_text,
                           error_messages={"invalid": "Enter a valid date as YYYY-MM-DD."},
                           widget=forms.DateInput(attrs={"type": "date"}))


class WindowForm(forms.Form):
    """``from``, ``to`` (local dates, ``to`` not included), ``channel`` and ``account``.

    Without dates it means the last 30 full days. ``cleaned_data["scope"]`` and
    ``["window"]`` hold the resolved scope and window once valid.
    """

    def __init__(self, data=None, *args, now=None, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.now = now
        self.fields["from"] = _date_field("From", "First day of the window, in each shop's time zone.")
        self.fields["to"] = _date_field("To (not included)", "The day after the last day of the window.")
        self.fields["channel"] = forms.ChoiceField(
            label="Channel", required=False, choices=[("", "All channels"), *Channel.choices])
        self.fields["account"] = forms.IntegerField(label="Account", required=False, min_value=1,
                                                    widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        date_from, date_to = data.get("from"), data.get("to")
        try:
            scope = resolve_scope(account=data.get("account"), channel=data.get("channel") or None)
            if date_from is None and date_to is None:
                window = default_window(scope, self.now)
            elif date_from is None:
                window = _window(date_to - dt.timedelta(days=30), date_to)
            elif date_to is None:
                window = _window(date_from, date_from + dt.timedelta(days=30))
            else:
                window = _window(date_from, date_to)
        except MetricsInputError as exc:
            self.names_missing = exc.missing
            self.add_error(exc.field if exc.field in self.fields else None, str(exc))
            return data
        data["scope"], data["window"] = scope, window
        return data


def _window(date_from, date_to):
    if date_to <= date_from:
        raise MetricsInputError("'To' must be after 'From' (the window runs up to, but not including, 'To').",
                                field="to")
    if (date_to - date_from).days > MAX_WINDOW_DAYS:
        raise MetricsInputError(f"Choose a window of at most {MAX_WINDOW_DAYS} days.", field="to")
    return Window(date_from, date_to)
