from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "督查与考评"

    def ready(self) -> None:
        from .visibility import register_reviews

        register_reviews()
