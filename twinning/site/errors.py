"""The site's error pages: Chinese (or the chosen language), in the site's layout, with a
way back. Django's own handlers would do for 403 and 404 but offer no safe way back; its 500
handler renders without the request, so the page could not show the user's navigation."""

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is a page of this site; else "".

    A link back beats `history.back()`, which the content security policy (no inline script)
    rules out; a Referer from another site is never offered as a way "back".
    """
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:  # noqa: BLE001 - a refused host name has no page to go back to
        return ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    ):
        return referer
    return ""


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", {"back_url": back_url(request)}, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", {"back_url": back_url(request)}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, which must never fail itself.

    First with the request (the user's navigation, a way back); when that fails too — the
    database is down, or a context processor is what broke — without it, as Django does; and
    as a last resort a page that needs no template or static file.
    """
    try:
        return render(request, "500.html", {"back_url": back_url(request)}, status=500)
    except Exception:
        logger.warning("500 page with the request failed; rendering without it", exc_info=True)
    try:
        return HttpResponseServerError(render_to_string("500.html"))
    except Exception:
        logger.exception("500 page could not be rendered")
    title = escape(_("服务器出错了"))
    home = escape(_("返回首页"))
    return HttpResponseServerError(
        f'<!doctype html><meta charset="utf-8"><title>{title}</title>'
        f'<h1>{title}</h1><p><a href="/">{home}</a></p>'
    )
