"""The page where a user chooses how reminders reach them (e-mail, SMS with their mobile
number, their town's WeCom group) and where town staff and the department set the towns'
WeCom group robots."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from branches.models import Town
from twinning.shared import channels, permissions
from twinning.shared.lookups import require
from twinning.shared.models import ReminderChannels
from twinning.shared.writes import attempt


def robot_towns(user: User) -> list[Town]:
    """The towns whose robot the user may set: their own towns (town staff), every town
    (the department)."""
    if not permissions.can(user, "set_town_robots"):
        return []
    towns = permissions.visible(user, Town.objects.order_by("code"))
    return [town for town in towns if permissions.can(user, "change", town)]


class ReminderSettingsForm(forms.ModelForm):
    class Meta:
        model = ReminderChannels
        fields = ["by_email", "by_sms", "by_wecom", "phone"]
        widgets = {"phone": forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "tel-national", "maxlength": 11})}
        help_texts = {
            "phone": gettext_lazy("用于短信提醒，并在企业微信群提醒中@您；可不填。"),
            "by_wecom": gettext_lazy("提醒发到您所在镇街的企业微信群（镇街设置了群机器人时）。"),
        }

    def __init__(self, *args: Any, towns: list[Town], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.towns = towns
        for town in towns:
            self.fields[f"robot_{town.pk}"] = forms.URLField(
                label=_("%(town)s企业微信群机器人地址") % {"town": town.name},
                required=False, max_length=300, initial=town.wecom_webhook,
                assume_scheme="https",
            )

    def robots(self) -> dict[int, str]:
        return {town.pk: self.cleaned_data.get(f"robot_{town.pk}", "") for town in self.towns}


def reminder_settings_save(*, user: User, form: ReminderSettingsForm) -> ReminderChannels:
    """Save the user's channels and the robots of the towns they may set (audited: both
    models keep their history)."""
    chosen = form.save(commit=False)
    chosen.user = user
    chosen.full_clean()
    chosen.save()
    for town in form.towns:
        webhook = form.robots()[town.pk]
        if webhook and not webhook.startswith(settings.WECOM_WEBHOOK_PREFIX):
            raise ValidationError({f"robot_{town.pk}": _(
                "请填写企业微信群机器人的Webhook地址（以%(prefix)s开头）。"
            ) % {"prefix": settings.WECOM_WEBHOOK_PREFIX}})
        if webhook != town.wecom_webhook:
            town.wecom_webhook = webhook
            town.save(update_fields=["wecom_webhook"])
    return chosen


@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    require(request, "choose_reminder_channels")
    current = ReminderChannels.objects.filter(user=request.user).first()
    towns = robot_towns(request.user)
    form = ReminderSettingsForm(request.POST or None, instance=current, towns=towns)
    if request.method == "POST" and form.is_valid() and attempt(
        form, reminder_settings_save, user=request.user, form=form
    ):
        messages.success(request, _("提醒方式已保存。"))
        return redirect("reminder_settings")
    return render(request, "twinning/site/reminder_settings.html", {
        "form": form, "towns": towns, "sms_on": channels.sms_configured(),
    })
