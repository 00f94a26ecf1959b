from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "督查与考评"

    def ready(self) -> None:
        from twinning import reminders
        from twinning.permissions import register_visibility, visible_for_committees

        from .assessments.visibility import register_assessments
        from .inspections.models import Inspection, InspectionScore, Rectification
        from .inspections.selectors import rectifications_owed
        from .reviews.visibility import register_reviews

        # Inspections and rectifications are seen exactly where their committee is: the
        # department everywhere, town staff in their town, a secretary their committee, an
        # inspector the committees assigned; leaders not at all.
        register_visibility(Inspection, visible_for_committees)
        register_visibility(Rectification, visible_for_committees)
        register_visibility(
            InspectionScore,
            lambda user, qs: visible_for_committees(user, qs, "inspection__committee"),
        )
        register_reviews()
        register_assessments()
        # Overdue rectifications join the secretaries' daily reminder digest and to-do list.
        reminders.register_source(rectifications_owed)
