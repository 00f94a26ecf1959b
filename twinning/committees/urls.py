from django.urls import path

from twinning.committees import views
from twinning.committees.pickers import CommitteeVillagePicker, VillagePicker

urlpatterns = [
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/pick-village/", VillagePicker.as_view(), name="pick_village"),
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
    path("committees/<str:code>/pick-village/", CommitteeVillagePicker.as_view(),
         name="committee_pick_village"),
    path("committees/<str:code>/dissolve/", views.committee_dissolve, name="committee_dissolve"),
]
