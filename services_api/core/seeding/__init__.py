"""Data to start from: the shipped taxonomies and demo directory, and synthetic listings for load tests."""
