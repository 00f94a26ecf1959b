from django.urls import path

from evaluations.assessments import views

urlpatterns = [
    path("assessments/", views.assessment_round_list, name="assessment_round_list"),
    path("assessments/new/", views.assessment_round_create,
         name="assessment_round_create"),
    path("assessments/<int:pk>/", views.assessment_round_detail,
         name="assessment_round_detail"),
    path("assessments/<int:pk>/edit/", views.assessment_round_edit,
         name="assessment_round_edit"),
    path("assessments/<int:pk>/generate/", views.assessment_generate,
         name="assessment_generate"),
    path("assessments/<int:pk>/close/", views.assessment_round_close,
         name="assessment_round_close"),
    path("assessments/<int:pk>/commend/", views.assessment_commend,
         name="assessment_commend"),
    path("assessments/<int:pk>/committees/<str:code>/", views.assessment_detail,
         name="assessment_detail"),
    path("assessments/<int:pk>/committees/<str:code>/adjust/", views.assessment_adjust,
         name="assessment_adjust"),
]
