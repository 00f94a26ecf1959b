from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from twinning.shared.forms import DateInput, search_field


class AccessLogFilterForm(forms.Form):
    q = search_field(_("查阅人"), _("用户名"))
    since = forms.DateField(label=_("起始日期"), required=False, widget=DateInput)
    until = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("截止日期不能早于起始日期。"))
        return data


