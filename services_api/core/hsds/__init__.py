"""HSDS 3.0 data in and out: files read into tables, documents written to records, imports, packages."""
