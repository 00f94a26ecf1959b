from django.urls import include, path

urlpatterns = [
    path("", include("reports.bulletins.urls")),
    path("", include("reports.dashboard.urls")),
]
