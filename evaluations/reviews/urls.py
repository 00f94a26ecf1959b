from django.urls import path

from evaluations.reviews import help_views, views

urlpatterns = [
    path("reviews/", views.review_round_list, name="review_round_list"),
    path("reviews/new/", views.review_round_create, name="review_round_create"),
    path("reviews/<int:pk>/", views.review_round_detail, name="review_round_detail"),
    path("reviews/<int:pk>/edit/", views.review_round_edit, name="review_round_edit"),
    path("reviews/<int:pk>/close/", views.review_round_close, name="review_round_close"),
    path("reviews/<int:pk>/roster/", views.review_round_roster, name="review_round_roster"),
    path("reviews/<int:pk>/table8.xlsx", views.review_round_table, name="review_round_table"),
    path("reviews/<int:pk>/committees/<str:code>/", views.review_sheet, name="review_sheet"),
    path("help/", help_views.help_list, name="help_list"),
    path("help/reviews/<int:pk>/assign/", help_views.help_assign, name="help_assign"),
    path("help/<int:pk>/", help_views.help_detail, name="help_detail"),
    path("help/<int:pk>/close/", help_views.help_close, name="help_close"),
]
