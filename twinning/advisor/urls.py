from django.urls import path

from twinning.advisor import views

urlpatterns = [
    path("advisor/", views.advisor, name="advisor"),
    path("advisor/rules/", views.advisor_rules, name="advisor_rules"),
    path("advisor/accept/", views.advisor_accept, name="advisor_accept"),
    path("advisor/reject/", views.advisor_reject, name="advisor_reject"),
]
