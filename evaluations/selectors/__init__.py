"""Reads of this app that feed pages and reports, one module per sub-domain."""

from evaluations.selectors.reviews import review_summary

__all__ = ["review_summary"]
