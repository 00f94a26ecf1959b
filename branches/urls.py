from django.urls import path

from branches import views
from branches.pickers import MemberBranchPicker, OfferTownPicker, UrbanPicker

urlpatterns = [
    path("branches/", views.branch_list, name="branch_list"),
    path("branches/pick-urban/", UrbanPicker.as_view(), name="pick_urban_branch"),
    path("branches/pick-town/", OfferTownPicker.as_view(), name="pick_offer_town"),
    path("branches/new/", views.branch_edit, name="branch_create"),
    path("branches/<str:code>/", views.branch_detail, name="branch_detail"),
    path("branches/<str:code>/edit/", views.branch_edit, name="branch_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/pick-branch/", MemberBranchPicker.as_view(), name="pick_member_branch"),
    path("members/new/", views.member_edit, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
]
