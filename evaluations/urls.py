from django.urls import path

from .views import help as help_views
from .views import inspections, reviews

urlpatterns = [
    path("reviews/", reviews.review_round_list, name="review_round_list"),
    path("reviews/new/", reviews.review_round_create, name="review_round_create"),
    path("reviews/<int:pk>/", reviews.review_round_detail, name="review_round_detail"),
    path("reviews/<int:pk>/edit/", reviews.review_round_edit, name="review_round_edit"),
    path("reviews/<int:pk>/close/", reviews.review_round_close, name="review_round_close"),
    path("reviews/<int:pk>/roster/", reviews.review_round_roster, name="review_round_roster"),
    path("reviews/<int:pk>/table8.xlsx", reviews.review_round_table, name="review_round_table"),
    path("reviews/<int:pk>/committees/<str:code>/", reviews.review_sheet, name="review_sheet"),
    path("help/", help_views.help_list, name="help_list"),
    path("help/reviews/<int:pk>/assign/", help_views.help_assign, name="help_assign"),
    path("help/<int:pk>/", help_views.help_detail, name="help_detail"),
    path("help/<int:pk>/close/", help_views.help_close, name="help_close"),
    path("inspections/", inspections.inspection_list, name="inspection_list"),
    path("inspections/new/", inspections.inspection_edit, name="inspection_create"),
    path("inspections/rubric/", inspections.rubric_edit, name="inspection_rubric"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", inspections.inspection_edit, name="inspection_edit"),
    path("rectifications/", inspections.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", inspections.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/submit/", inspections.rectification_submit,
         name="rectification_submit"),
    path("rectifications/<int:pk>/review/", inspections.rectification_review,
         name="rectification_review"),
    path("rectifications/<int:pk>/file/", inspections.rectification_file,
         name="rectification_file"),
]
