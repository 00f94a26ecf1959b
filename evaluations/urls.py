from django.urls import include, path

urlpatterns = [
    path("", include("evaluations.assessments.urls")),
    path("", include("evaluations.reviews.urls")),
    path("", include("evaluations.inspections.urls")),
    path("", include("evaluations.warnings.urls")),
]
