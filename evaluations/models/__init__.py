"""Models of this app, one module per sub-domain, re-exported here."""
