"""One's own account: the password (change, reset by e-mail, set through a one-time link) and
two-factor sign-in. Django's password views with our templates; each records the change in
the accounts' trail and ends a forced change."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from twinning.shared import permissions
from twinning.shared.models import AccountEvent
from twinning.shared.writes import attempt, press, run, show_errors
from twinning.site import accounts, two_factor


def my_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "twinning/site/accounts/mine.html", {
        "second_factor": two_factor.has_second_factor(user),
        "required": permissions.can(user, "need_second_factor"),
        "verified": user.is_verified(),
        "recovery_left": sum(d.token_set.count() for d in user.staticdevice_set.all()),
        "events": user.account_events.select_related("actor")[:20],
    })


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("my_account")

    def form_valid(self, form: Any) -> HttpResponse:
        if attempt(form, accounts.password_save, form=form) is None:
            return self.form_invalid(form)
        # The session outlives the change; other sessions of the user end.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("密码已修改。"))
        return redirect(self.get_success_url())


class PasswordReset(auth_views.PasswordResetView):
    template_name = "registration/password_reset.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordSet(auth_views.PasswordResetConfirmView):
    """A reset e-mail's link: choose a new password, and be signed in."""

    template_name = "registration/password_set.html"
    post_reset_login = True
    post_reset_login_backend = "twinning.site.backends.ProgrammeBackend"
    success_url = reverse_lazy("home")
    event = AccountEvent.Kind.PASSWORD_CHANGED

    def form_valid(self, form: Any) -> HttpResponse:
        user = attempt(form, accounts.password_save, form=form, kind=self.event)
        if user is None:
            return self.form_invalid(form)
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        auth_login(self.request, user, self.post_reset_login_backend)
        messages.success(self.request, _("密码已设置，欢迎使用。"))
        return redirect(self.get_success_url())


class AccountLink(PasswordSet):
    """A one-time link an administrator issued: the first password, or a new one."""

    token_generator = accounts.account_link_tokens
    event = AccountEvent.Kind.PASSWORD_SET


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse_lazy("home")


def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the code (or type the secret), confirm with a code."""
    user = request.user
    if two_factor.has_second_factor(user) and not user.is_verified():
        # Replacing a device takes the one in hand first.
        return redirect(f"{reverse('second_factor_verify')}?next={request.path}")
    form = two_factor.TokenForm(request.POST or None)
    form.fields["token"].help_text = _("身份验证器应用中显示的6位数字。")
    device = two_factor.pending_device(user)
    if request.method == "POST" and form.is_valid():
        done = attempt(form, two_factor.second_factor_enrol, user=user,
                       token=form.cleaned_data["token"])
        if done is not None:
            confirmed, codes = done
            otp_login(request, confirmed)
            return render(request, "twinning/site/accounts/recovery_codes.html",
                          {"codes": codes, "next": _next(request)})
    return render(request, "twinning/site/accounts/second_factor_setup.html", {
        "form": form, "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_text(device), "next": _next(request),
        "replacing": two_factor.has_second_factor(user)})


def second_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app or a recovery code."""
    if not two_factor.has_second_factor(request.user):
        return redirect("second_factor_setup")
    form = two_factor.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = run(two_factor.second_factor_verify, user=request.user,
                      token=form.cleaned_data["token"])
        if outcome.result is not None:
            otp_login(request, outcome.result)
            return redirect(_next(request))
        if outcome.error is not None:
            show_errors(form, outcome.error)
        else:
            form.add_error("token", two_factor.WRONG_TOKEN)
    return render(request, "twinning/site/accounts/second_factor_verify.html",
                  {"form": form, "next": _next(request)})


@require_POST
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    outcome = run(two_factor.recovery_codes_renew, user=request.user)
    if outcome.error is not None:
        messages.error(request, " ".join(outcome.messages))
        return redirect("my_account")
    return render(request, "twinning/site/accounts/recovery_codes.html",
                  {"codes": outcome.result, "next": reverse_lazy("my_account")})


@require_POST
def second_factor_off(request: HttpRequest) -> HttpResponse:
    """Turn two-factor sign-in off; not for those who must use it."""
    if permissions.can(request.user, "need_second_factor"):
        messages.error(request, _("您的账号必须使用两步验证，不能关闭。"))
        return redirect("my_account")
    press(request, two_factor.second_factor_remove, lambda _none: _("已关闭两步验证。"),
          account=request.user, actor=request.user)
    return redirect("my_account")
