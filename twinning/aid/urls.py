from django.urls import path

from twinning.aid import views
from twinning.aid.pickers import FunderPicker

urlpatterns = [
    path("outcomes/", views.outcomes_citywide, name="outcomes_citywide"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/<slug:kind>/new/", views.project_record_create,
         name="project_record_create"),
    path("committees/<str:code>/outcomes/", views.committee_outcomes,
         name="committee_outcomes"),
    path("committees/<str:code>/records/<slug:kind>/", views.committee_records,
         name="committee_records"),
    path("committees/<str:code>/records/<slug:kind>/new/", views.record_create,
         name="record_create"),
    path("committees/<str:code>/pick-funder/", FunderPicker.as_view(), name="pick_funder"),
    path("records/<slug:kind>/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<slug:kind>/<int:pk>/delete/", views.record_delete, name="record_delete"),
]
