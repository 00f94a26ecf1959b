"""The account pages: the department manages every account, town staff the secretaries and
inspectors of their towns (`permissions.accounts_in_reach`)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twinning.shared import permissions
from twinning.shared.lookups import filtered_list
from twinning.shared.models import Role
from twinning.shared.writes import attempt, press, run
from twinning.site import accounts, two_factor
from twinning.site.account_forms import AccountCreateForm, AccountEditForm, AccountFilterForm


def manages_accounts(user: Any) -> bool:
    return (permissions.can(user, "manage_accounts")
            or permissions.can(user, "manage_town_accounts"))


def _require_managing(request: HttpRequest) -> None:
    if not manages_accounts(request.user):
        raise PermissionDenied


def _account(request: HttpRequest, pk: int) -> User:
    """An account the user manages, or 404 (never the account)."""
    _require_managing(request)
    found = permissions.accounts_in_reach(
        request.user, User.objects.select_related("profile")).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _rows(user: User) -> Any:
    def rows(filters: dict[str, Any]) -> QuerySet:
        qs = permissions.accounts_in_reach(
            user, User.objects.select_related("profile")).order_by("username")
        if filters.get("q"):
            qs = qs.filter(Q(username__icontains=filters["q"])
                           | Q(first_name__icontains=filters["q"]))
        if filters.get("role"):
            qs = qs.filter(profile__role=filters["role"])
        if filters.get("active"):
            qs = qs.filter(is_active=filters["active"] == "yes")
        return qs
    return rows


def account_list(request: HttpRequest) -> HttpResponse:
    _require_managing(request)
    form = AccountFilterForm(request.GET or None)
    context = filtered_list(request, form, _rows(request.user))
    return render(request, "twinning/site/accounts/list.html", context)


def _link_page(request: HttpRequest, account: User, path: str, created: bool) -> HttpResponse:
    return render(request, "twinning/site/accounts/link.html", {
        "account": account, "link": request.build_absolute_uri(path), "created": created,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600})


def account_create(request: HttpRequest) -> HttpResponse:
    _require_managing(request)
    form = AccountCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create_with_link(**kwargs: Any) -> tuple[User, str]:
            user = accounts.user_create(**kwargs)
            return user, accounts.link_issue(account=user, actor=request.user)

        done = attempt(form, create_with_link, username=data["username"], role=data["role"],
                       full_name=data["full_name"], email=data["email"],
                       towns=list(data.get("towns") or ()),
                       committees=list(data.get("committees") or ()), actor=request.user)
        if done is not None:
            return _link_page(request, *done, created=True)
    return render(request, "twinning/site/accounts/form.html", {"form": form})


def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    towns, committees = permissions.reach_of(account)
    return render(request, "twinning/site/accounts/detail.html", {
        "account": account, "role": Role(permissions.account_role(account)).label
        if permissions.account_role(account) else "—",
        "towns": towns, "committees": committees.select_related("town"),
        "second_factor": two_factor.has_second_factor(account),
        "events": account.account_events.select_related("actor")[:50],
    })


def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    form = AccountEditForm(request.POST or None, actor=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if attempt(form, accounts.account_update, account=account, actor=request.user,
                   email=data["email"], full_name=data["full_name"],
                   towns=list(data.get("towns") or ()),
                   committees=list(data.get("committees") or ())) is not None:
            return redirect("account_detail", pk=account.pk)
    return render(request, "twinning/site/accounts/form.html", {"form": form,
                                                                "account": account})


@require_POST
def account_active(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    active = request.POST.get("active") == "1"
    press(request, accounts.account_set_active,
          lambda a: _("账号 %(name)s 已重新启用。") % {"name": a.username} if active
          else _("账号 %(name)s 已停用。") % {"name": a.username},
          account=account, actor=request.user, active=active)
    return redirect("account_detail", pk=account.pk)


@require_POST
def account_link_issue(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    outcome = run(accounts.link_issue, account=account, actor=request.user)
    if outcome.error is not None:
        from django.contrib import messages

        messages.error(request, " ".join(outcome.messages))
        return redirect("account_detail", pk=account.pk)
    return _link_page(request, account, outcome.result, created=False)


@require_POST
def account_second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    account = _account(request, pk)
    press(request, two_factor.second_factor_remove,
          lambda _none: _("已重置两步验证：下次登录时须重新设置。"),
          account=account, actor=request.user)
    return redirect("account_detail", pk=account.pk)
