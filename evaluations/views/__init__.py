"""Views of this app, one module per sub-domain."""
