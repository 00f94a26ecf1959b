"""The concepts' admin modules, imported here so that admin autodiscovery registers them."""

from .assessments import admin as assessments_admin  # noqa: F401
from .inspections import admin as inspections_admin  # noqa: F401
from .reviews import admin as reviews_admin  # noqa: F401
