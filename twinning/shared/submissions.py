"""Forms that save once however often they are posted.

Every POST form carries a one-time token (`{% once_field %}`), issued when the page is shown.
`OnceMiddleware` claims the token by inserting it (the primary key) in the same transaction
as the request's writes: a second POST with that token, even one sent while the first is
still running, waits for the first to finish and is then sent where the first led, with a
message, instead of saving again. A POST that saved nothing (its form had errors, it was
refused) gives its token back.
"""

import datetime
import logging
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.shared.models import SubmitToken

logger = logging.getLogger(__name__)
FIELD = "once"
# Tokens are only needed while someone might resend a form; older ones are cleared now and
# then (by the POSTs whose token starts with "0": one in 64) so the table stays small.
KEEP = datetime.timedelta(days=2)
REDIRECTS = (301, 302, 303, 307, 308)


def _saved(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether the POST went through: it led on to another page, and said nothing went wrong
    (a refused button press also leads back, with an error message)."""
    if response.status_code not in REDIRECTS or not response.has_header("Location"):
        return False
    # The messages this request added; iterating the storage itself would mark the earlier
    # ones as read.
    added = getattr(getattr(request, "_messages", None), "_queued_messages", [])
    return not any(message.level >= messages.ERROR for message in added)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class OnceMiddleware:
    """Claims a POST's one-time token around the view (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not token or len(token) > 64 or not request.user.is_authenticated:
            return self.get_response(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = SubmitToken.objects.create(token=token, user=request.user)
            except IntegrityError:
                return self._repeated(request, token)
            except DatabaseError:
                # The store refused the token: the view still runs and reports its own write.
                logger.exception("claiming a form token failed")
                return self.get_response(request)
            response = self.get_response(request)
            if _saved(request, response):
                claim.url = response["Location"][:500]
                claim.save(update_fields=["url"])
            else:
                claim.delete()
            if token.startswith("0"):
                SubmitToken.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
        return response

    def _repeated(self, request: HttpRequest, token: str) -> HttpResponse:
        claim = SubmitToken.objects.filter(token=token, user=request.user).first()
        messages.info(request, _("该表单已提交过，未重复保存。"))
        return redirect(claim.url if claim is not None and claim.url else request.get_full_path())
