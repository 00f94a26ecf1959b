from twinning.shared.permissions import GRANTS

RANKING_ROLES = GRANTS["view_rankings"]
DETAIL_ROLES = GRANTS["view_member_data"]
