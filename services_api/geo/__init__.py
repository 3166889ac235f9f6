"""Spatial helpers: the coarse grid for confidential points (spatial indexes follow here)."""
