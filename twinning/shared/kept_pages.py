"""Whole pages kept until the data changes.

The main pages (home, the committee list, completeness, the review queue, the dashboard,
outcomes, the bulletin list) show programme data as one user may see it, and most requests for
them find the data unchanged since the user last saw the page. A view decorated with
`@kept_page` is rendered once per user, address and data version and then answered from what
each process kept (while the setting `KEPT_PAGES` is on), under `kept_figures.key_for`: the
view's name; the full address with its query (filters, sort, page); the user's id, name, role
(`Abilities`), unread-notice count and whether this session passed its second factor; the
language, today's date and the data version. A change saved anywhere changes the version, so
the next request renders afresh.

What differs between two showings of the same page is put back into each: the CSRF token (a
fresh mask of this browser's secret) and every form's one-time token (`submissions`), so a
kept page's forms post exactly as a rendered one's.

Rendered and not kept: an answer other than a 200 HTML page, one that sets a cookie of its
own, one that shows messages (a message is shown once), one that showed personal data (each
such reading is recorded, `audit.personal_data_read`) and one whose view said it shows a state
that changes without a recorded change (`not_kept`: a bulletin being built, whose worker moves
it on without writing history). What a user may see follows from their
role and reach, both in the key (the role through `Abilities`, the reach's rights tables in the
data version), so a kept page is never one the view would now refuse; a refusal (403, 404) is
not kept. Signing in, the second factor and what the account owes first are checked by the
middleware on every request, kept page or not.
"""

import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token

from twinning.shared import kept_figures
from twinning.shared.permissions import Abilities
from twinning.shared.submissions import FIELD, new_token

CSRF = "csrfmiddlewaretoken"
# The value of each hidden token input, as Django's {% csrf_token %} and {% once_field %} write it.
_TOKEN = re.compile(rf'(?<=<input type="hidden" name=")({CSRF}|{FIELD})" value="[^"]*"')


def _messages_waiting(request: HttpRequest) -> int:
    storage = getattr(request, "_messages", None)
    return len(storage) if storage is not None else 0  # len() reads without marking as shown


def _key(view: Callable, request: HttpRequest) -> str:
    user = request.user
    verified = getattr(user, "is_verified", None)
    inputs = (request.get_full_path(), user.pk, user.get_username(), user.get_full_name(),
              Abilities(user), getattr(user, "unread_notifications", None),
              bool(verified and verified()))
    return kept_figures.key_for(f"page:{view.__module__}.{view.__qualname__}", inputs,
                                kept_figures.data_version())


def _split(html: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The page's text around its tokens, and which token goes in each gap."""
    pieces, kinds, start = [], [], 0
    for found in _TOKEN.finditer(html):
        pieces.append(html[start:found.start()])
        kinds.append(found.group(1))
        start = found.end()
    pieces.append(html[start:])
    return tuple(pieces), tuple(kinds)


def _join(request: HttpRequest, pieces: tuple[str, ...], kinds: tuple[str, ...]) -> str:
    csrf = get_token(request) if CSRF in kinds else ""
    parts = [pieces[0]]
    for kind, piece in zip(kinds, pieces[1:], strict=True):
        parts.append(f'{kind}" value="{csrf if kind == CSRF else new_token()}"')
        parts.append(piece)
    return "".join(parts)


def not_kept(request: HttpRequest) -> None:
    """This request's page shows something that changes without a recorded change (the data
    version would not see it): render it afresh each time."""
    request.page_not_kept = True


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (response.status_code == 200 and not response.streaming and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(request, "personal_data", False)
            and not getattr(request, "page_not_kept", False)
            and not _messages_waiting(request))


def kept_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view's page, kept per user, address and data version (see the module)."""

    @functools.wraps(view)
    def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.KEPT_PAGES or request.method != "GET" \
                or not request.user.is_authenticated or _messages_waiting(request):
            return view(request, *args, **kwargs)
        cache = caches["figures"]
        key = _key(view, request)
        found = cache.get(key)
        if found is not None:
            content_type, pieces, kinds = found
            return HttpResponse(_join(request, pieces, kinds), content_type=content_type)
        response = view(request, *args, **kwargs)
        if _keepable(request, response):
            pieces, kinds = _split(response.content.decode(response.charset))
            cache.set(key, (response["Content-Type"], pieces, kinds), settings.FIGURES_TIMEOUT)
        return response

    return answer
