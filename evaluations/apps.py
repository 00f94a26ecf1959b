from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = "督查与考评"

    def ready(self) -> None:
        """Say who sees each evaluation record, and add overdue rectifications to the
        secretaries' reminders."""
        from evaluations.assessments.models import (
            Assessment,
            AssessmentRound,
            AssessmentScore,
            Commendation,
        )
        from evaluations.inspections.models import Inspection, InspectionScore, Rectification
        from evaluations.inspections.selectors import rectifications_owed
        from evaluations.reviews.models import (
            HelpAssignment,
            HelpFollowUp,
            MemberReview,
            ReviewRound,
        )
        from evaluations.reviews.owed import reviews_owed
        from twinning.shared import reminders
        from twinning.shared.permissions import register_visibility

        # Inspections and rectifications are seen exactly where their committee is: the
        # department everywhere, town staff in their town, a secretary their committee, an
        # inspector the committees assigned; leaders not at all.
        register_visibility(Inspection)
        register_visibility(Rectification)
        register_visibility(InspectionScore, committee="inspection__committee")
        # Reviews: ratings are members' personal data, seen by the roles that read it, where
        # the committee is seen and, for rows about one member, where that member is (not
        # through a dissolved committee); inspectors and leaders see none (leaders read the
        # counts in the bulletin).
        register_visibility(ReviewRound, readers="view_member_data", committee=None)
        register_visibility(MemberReview, readers="view_member_data", member="member")
        register_visibility(HelpAssignment, readers="view_member_data",
                            committee="review__committee", member="review__member")
        register_visibility(HelpFollowUp, readers="view_member_data",
                            committee="assignment__review__committee",
                            member="assignment__review__member")
        # Assessments: town staff see their town's results, a secretary their committee's;
        # leaders the citywide ranking (totals, ranks, grades: about organisations, not
        # people) but not the criterion scores, adjustments or commendations with
        # secretaries' names; inspectors nothing.
        register_visibility(AssessmentRound, readers="view_rankings", committee=None)
        register_visibility(Assessment, readers="view_rankings", city_wide="view_city_figures")
        register_visibility(AssessmentScore, readers="view_member_data",
                            committee="assessment__committee")
        register_visibility(Commendation, readers="view_member_data",
                            committee="assessment__committee")
        reminders.register_source(rectifications_owed)
        reminders.register_source(reviews_owed)
