"""Django's admin autodiscovery imports this module: it only gathers the admin modules of
twinning's concepts and of the shared machinery."""

from twinning.advisor import admin as advisor_admin  # noqa: F401
from twinning.aid import admin as aid_admin  # noqa: F401
from twinning.committees import admin as committees_admin  # noqa: F401
from twinning.meetings import admin as meetings_admin  # noqa: F401
from twinning.monthly import admin as monthly_admin  # noqa: F401
from twinning.shared import admin as shared_admin  # noqa: F401
