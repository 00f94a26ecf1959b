"""The pairing advisor (which urban branch should take which weak villages) and the early
warning on committees at risk."""
