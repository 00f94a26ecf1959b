import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from twinning.shared.periods import format_period, parse_period


class DateInput(forms.DateInput):
    """The browser's date picker. It only accepts ISO dates, whatever the interface language
    (the Chinese locale's first input format, %Y/%m/%d, would leave the field blank)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


class MonthField(forms.Field):
    """A month as `YYYY-MM` (the browser's month picker), cleaned to its first day."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> datetime.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value.replace(day=1)
        try:
            return parse_period(str(value))
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def prepare_value(self, value: Any) -> Any:
        return format_period(value) if isinstance(value, datetime.date) else value


def search_field(label: str, placeholder: str) -> forms.CharField:
    """The free-text search box of a list's filters."""
    return forms.CharField(
        label=label, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


