"""The early warning on committees at risk, read from their monthly updates, inspections,
rectifications, reviews, aid projects and villages."""
