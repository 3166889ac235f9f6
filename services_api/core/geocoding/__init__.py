"""Places on the map, offline: the gazetteer for searches, the configured geocoder for partners' addresses."""
