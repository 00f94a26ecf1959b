from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from twinning.site import rows
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


class AccountGateMiddleware:
    """Keeps a signed-in user to the steps their account still owes before any page.

    An account that must sign in with a second factor (`need_second_factor`) reaches no page
    until this session has passed it: without a device it is sent to enrol one, with one to
    enter a code. Then an account whose administrator issued a one-time link must choose a new
    password first. Signing out, the language switch and the steps themselves stay open.
    Runs after django-otp's OTPMiddleware, which tells whether the session passed.
    """

    OPEN = frozenset({"logout", "set_language", "login", "healthz", "account_link",
                      "password_reset_confirm"})
    SECOND_FACTOR = frozenset({"second_factor_setup", "second_factor_verify"})
    PASSWORD = frozenset({"password_change"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable, args: tuple,
                     kwargs: dict) -> HttpResponse | None:
        from django.shortcuts import redirect
        from django.utils.http import urlencode

        from twinning.site import accounts, two_factor

        user = request.user
        match = request.resolver_match
        name = match.view_name if match else ""
        if not user.is_authenticated or name in self.OPEN:
            return None
        nxt = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
        if two_factor.owed(user) and not user.is_verified():
            # With a device, only the code opens the session: enrolling another is no way round.
            step = ("second_factor_verify" if two_factor.has_second_factor(user)
                    else "second_factor_setup")
            if name == step:
                return None
            return redirect(f"{reverse(step)}?{nxt}" if nxt else reverse(step))
        if accounts.must_change_password(user) and name not in self.PASSWORD | self.SECOND_FACTOR:
            return redirect(reverse("password_change"))
        return None


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (whether this session passed its second factor), except that the
    session's device is read by fixed SQL (`rows`) rather than a queryset."""

    def _device_from_persistent_id(self, persistent_id: str) -> Device | None:
        try:
            label, pk = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            model = apps.get_model(label)
            return rows.by_pk(model, int(pk)) if issubclass(model, Device) else None
        except (ValueError, LookupError):
            return None
