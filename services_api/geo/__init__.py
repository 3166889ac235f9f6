"""Spatial helpers with no knowledge of the project: sphere geometry, the coarse grid, service areas."""
