from django.urls import path

from evaluations.warnings import views

urlpatterns = [
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/settings/", views.warning_settings, name="warning_settings"),
]
