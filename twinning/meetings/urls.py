from django.urls import path

from twinning.meetings import views
from twinning.meetings.pickers import ActionItemCommitteePicker

urlpatterns = [
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_edit, name="meeting_create"),
    path("meetings/pick-committee/", ActionItemCommitteePicker.as_view(),
         name="pick_action_item_committee"),
    path("meetings/actions/", views.action_item_list, name="action_item_list"),
    path("meetings/actions/<int:pk>/done/", views.action_item_done, name="action_item_done"),
    path("meetings/actions/<int:pk>/return/", views.action_item_return,
         name="action_item_return"),
    path("meetings/actions/<int:pk>/answer/", views.action_item_answer,
         name="action_item_answer"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/pick-committee/", ActionItemCommitteePicker.as_view(),
         name="meeting_pick_committee"),
]
