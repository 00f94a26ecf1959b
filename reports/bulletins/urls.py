from django.urls import path

from reports.bulletins import views

urlpatterns = [
    path("bulletins/", views.bulletin_list, name="bulletin_list"),
    path("bulletins/build/", views.bulletin_build, name="bulletin_build"),
    path("bulletins/<int:pk>/", views.bulletin_detail, name="bulletin_detail"),
    path("bulletins/<int:pk>/status/", views.bulletin_status, name="bulletin_status"),
    path("bulletins/<int:pk>/pdf/", views.bulletin_pdf, name="bulletin_pdf"),
    path("bulletins/<int:pk>/annex/", views.bulletin_annex, name="bulletin_annex"),
    path("bulletins/<int:pk>/docx/", views.bulletin_docx, name="bulletin_docx"),
    path("bulletins/<int:pk>/publish/", views.bulletin_publish, name="bulletin_publish"),
    path("bulletins/text/<period:period>/", views.bulletin_text, name="bulletin_text"),
    path("bulletins/settings/", views.bulletin_settings, name="bulletin_settings"),
    path("bulletins/cases/<period:period>/", views.case_list, name="case_list"),
    path("bulletins/cases/case/<int:pk>/", views.case_edit, name="case_edit"),
    path("bulletins/cases/case/<int:pk>/remove/", views.case_remove, name="case_remove"),
    path("notifications/", views.notification_list, name="notification_list"),
]
