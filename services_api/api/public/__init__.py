"""Public, read-only HSDS 3.0 endpoints."""
