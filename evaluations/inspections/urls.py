from django.urls import path

from evaluations.inspections import views
from evaluations.inspections.pickers import CommitteePicker

urlpatterns = [
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_edit, name="inspection_create"),
    path("inspections/pick-committee/", CommitteePicker.as_view(),
         name="pick_inspection_committee"),
    path("inspections/rubric/", views.rubric_edit, name="inspection_rubric"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/submit/", views.rectification_submit,
         name="rectification_submit"),
    path("rectifications/<int:pk>/review/", views.rectification_review,
         name="rectification_review"),
    path("rectifications/<int:pk>/file/", views.rectification_file,
         name="rectification_file"),
]
