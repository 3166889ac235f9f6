"""The domain logic: takes a session, adds and flushes, never commits and never reads the request."""
