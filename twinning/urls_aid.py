from django.urls import path

from . import views_aid

urlpatterns = [
    path("outcomes/", views_aid.outcomes_citywide, name="outcomes_citywide"),
    path("projects/", views_aid.project_list, name="project_list"),
    path("projects/<int:pk>/", views_aid.project_detail, name="project_detail"),
    path("projects/<int:pk>/<slug:kind>/new/", views_aid.project_record_create,
         name="project_record_create"),
    path("committees/<str:code>/outcomes/", views_aid.committee_outcomes,
         name="committee_outcomes"),
    path("committees/<str:code>/records/<slug:kind>/", views_aid.committee_records,
         name="committee_records"),
    path("committees/<str:code>/records/<slug:kind>/new/", views_aid.record_create,
         name="record_create"),
    path("records/<slug:kind>/<int:pk>/edit/", views_aid.record_edit, name="record_edit"),
    path("records/<slug:kind>/<int:pk>/delete/", views_aid.record_delete, name="record_delete"),
]
