from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, register_converter
from django.views.i18n import set_language

from . import views
from .health import healthz
from .periods import PeriodConverter

register_converter(PeriodConverter, "period")

handler403 = "twinning.errors.permission_denied"
handler404 = "twinning.errors.page_not_found"
handler500 = "twinning.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works on the login page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/new/", views.committee_create, name="committee_create"),
    path("committees/<str:code>/", views.committee_detail, name="committee_detail"),
    path("committees/<str:code>/edit/", views.committee_edit, name="committee_edit"),
    path(
        "committees/<str:code>/villages/add/",
        views.committee_add_village,
        name="committee_add_village",
    ),
    path(
        "committees/<str:code>/villages/<str:village_code>/leave/",
        views.committee_remove_village,
        name="committee_remove_village",
    ),
    path("committees/<str:code>/dissolve/", views.committee_dissolve, name="committee_dissolve"),
    path("audit/personal-data/", views.personal_data_log, name="personal_data_log"),
    path("", include("twinning.monthly.urls")),
    path("", include("twinning.aid.urls")),
    path("", include("twinning.meetings.urls")),
    path("", include("branches.urls")),
    path("", include("twinning.exchange.urls")),
    path("", include("twinning.advisor.urls")),
    path("", include("evaluations.urls")),
    path("", include("reports.urls")),
]
