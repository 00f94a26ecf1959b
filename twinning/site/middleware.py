from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from twinning.site.health import healthz


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language with the switch.

    Unlike Django's LocaleMiddleware the browser's Accept-Language is not consulted: the
    programme's interface is Chinese by default whatever the browser says.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class ContentSecurityPolicyMiddleware:
    """Adds the site's Content-Security-Policy header (Django 5.2 has none built in)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class PersonalDataMiddleware:
    """A response that showed members' personal data (`audit.personal_data_read`) is never
    stored by a browser or a proxy: no back-button copy on a shared computer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "personal_data", False):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


class HealthCheckMiddleware:
    """Answers the health check (/healthz) ahead of everything else, above all of
    SecurityMiddleware's HTTPS redirect and the host validation that CommonMiddleware does.

    The container's health check and a load balancer call the app by its address over plain
    HTTP, without the public host name or the proxy's X-Forwarded-Proto, so with a real
    ALLOWED_HOSTS and HTTPS on they got a 400 or a redirect. The answer ("ok" once the
    database answers) uses no host, cookie or user; every other path is validated as before.
    """

    path = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == self.path and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
