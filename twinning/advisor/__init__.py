"""The pairing advisor: which urban branch should take which weak villages."""
