"""The concepts' admin modules, imported here so that admin autodiscovery registers them."""

from evaluations.assessments import admin as assessments_admin  # noqa: F401
from evaluations.inspections import admin as inspections_admin  # noqa: F401
from evaluations.reviews import admin as reviews_admin  # noqa: F401
