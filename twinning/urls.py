from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from twinning.shared.periods import PeriodConverter
from twinning.site import views
from twinning.site.health import healthz
from twinning.site.reminder_settings import reminder_settings

register_converter(PeriodConverter, "period")

handler403 = "twinning.site.errors.permission_denied"
handler404 = "twinning.site.errors.page_not_found"
handler500 = "twinning.site.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("audit/personal-data/", views.personal_data_log, name="personal_data_log"),
    path("account/reminders/", reminder_settings, name="reminder_settings"),
    path("", include("twinning.committees.urls")),
    path("", include("twinning.monthly.urls")),
    path("", include("twinning.aid.urls")),
    path("", include("twinning.meetings.urls")),
    path("", include("branches.urls")),
    path("", include("twinning.shared.exchange.urls")),
    path("", include("twinning.advisor.urls")),
    path("", include("evaluations.urls")),
    path("", include("reports.urls")),
]
