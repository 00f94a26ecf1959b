from django.urls import path

from twinning.monthly import views

# The `period` converter (YYYY-MM ↔ first day of the month) is registered in twinning.urls.

MONTH = "committees/<str:code>/monthly/<period:period>/"

urlpatterns = [
    path("monthly/completeness/", views.monthly_completeness, name="monthly_completeness"),
    path("monthly/nudge/", views.monthly_nudge, name="monthly_nudge"),
    path("monthly/queue/", views.monthly_queue, name="monthly_queue"),
    path("monthly/mine/", views.monthly_mine, name="monthly_mine"),
    path("committees/<str:code>/monthly/", views.monthly_committee, name="monthly_committee"),
    path(MONTH, views.monthly_update, name="monthly_update"),
    path(f"{MONTH}review/", views.monthly_review, name="monthly_review"),
    path(f"{MONTH}nudge/", views.monthly_nudge_one, name="monthly_nudge_one"),
    path(f"{MONTH}reopen/", views.monthly_reopen_request, name="monthly_reopen_request"),
    path(f"{MONTH}reopen/decide/", views.monthly_reopen_decide, name="monthly_reopen_decide"),
    path(
        f"{MONTH}attachments/<int:attachment_id>/",
        views.monthly_attachment,
        name="monthly_attachment",
    ),
    path(
        f"{MONTH}attachments/<int:attachment_id>/delete/",
        views.monthly_attachment_delete,
        name="monthly_attachment_delete",
    ),
]
