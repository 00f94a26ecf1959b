"""The login lock-out, on top of django-axes.

A user name is locked at one client address (AXES_FAILURE_LIMIT failures), never for the
world, so nobody can lock a colleague out by typing wrong passwords from elsewhere. One address
is also throttled across all user names (AXES_ADDRESS_FAILURE_LIMIT failures), so a password
tried against many user names is limited too. Failures count for AXES_COOLOFF_TIME after the
latest one of each user name at the address.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ipware.ip import get_client_ip


def client_address(request: HttpRequest) -> str | None:
    """The client address a lock-out is kept for (axes' AXES_CLIENT_IP_CALLABLE).

    Without a proxy only the connection's own address counts: X-Forwarded-For would be
    whatever the client chose to write. Behind PROXY_COUNT proxies each one appends the
    address it received the request from, so the right-most PROXY_COUNT entries were written
    by trusted proxies and the client is the PROXY_COUNT-th from the right; entries further
    left came from the client and are ignored.
    """
    remote = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote
    # ipware counts only the proxies listed in the header: the nearest proxy is REMOTE_ADDR.
    # Not strict, so a header the client sent itself (on the left) does not void the chain.
    address, _routable = get_client_ip(
        request,
        proxy_count=settings.PROXY_COUNT - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    # No usable entry at the client's place (too few hops, a mangled header): the request is
    # kept for the proxy's address, which the client cannot choose.
    return address or remote


def _counted_attempts(request: HttpRequest) -> QuerySet[AccessAttempt]:
    """The failures from the request's address that still count."""
    return AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, larger limit for one address across user names.

    AXES_LOCKOUT_PARAMETERS stays user name and address only: a successful login then clears
    that user name's failures at the address, but not the failures the address made against
    other user names, which one valid account must not be able to wipe.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        address_failures = (
            _counted_attempts(request).aggregate(total=Sum("failures_since_start"))["total"] or 0
        )
        if address_failures >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            # Axes compares one count with one limit: an address over its own limit counts
            # as a user name over the user name's.
            return max(failures, get_failure_limit(request, credentials))
        return failures


def _lock_ends(
    attempts: Iterable[tuple[datetime, int]], limit: int, cool_off: timedelta
) -> datetime | None:
    """When fewer than `limit` failures will still count, or None if fewer do already.

    `attempts` are (latest failure, failures) rows, newest first; a row's failures stop
    counting together, `cool_off` after its latest one.
    """
    counted = 0
    for latest, failures in attempts:
        counted += failures
        if counted >= limit:
            return latest + cool_off
    return None


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The lock-out page (axes' AXES_LOCKOUT_CALLABLE): which lock applies and when it ends."""
    username = get_client_username(request, credentials)
    cool_off = get_cool_off(request) or timedelta(0)
    rows = list(
        _counted_attempts(request)
        .order_by("-attempt_time")
        .values_list("username", "attempt_time", "failures_since_start")
    )
    user_ends = _lock_ends(
        ((latest, failures) for name, latest, failures in rows if name == username),
        get_failure_limit(request, credentials),
        cool_off,
    )
    address_ends = _lock_ends(
        ((latest, failures) for _name, latest, failures in rows),
        settings.AXES_ADDRESS_FAILURE_LIMIT,
        cool_off,
    )
    context = {
        "username": username or "",
        "address": request.axes_ip_address,
        "user_locked": user_ends is not None,
        "address_locked": address_ends is not None,
        "ends": max((end for end in (user_ends, address_ends) if end), default=None),
    }
    return render(
        request, "registration/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
