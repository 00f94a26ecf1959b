"""Models of this app, one module per sub-domain, re-exported here."""

from .inspections import (
    Inspection,
    InspectionCriterion,
    InspectionScore,
    Rectification,
    overdue_on,
)

__all__ = [
    "Inspection",
    "InspectionCriterion",
    "InspectionScore",
    "Rectification",
    "overdue_on",
]
