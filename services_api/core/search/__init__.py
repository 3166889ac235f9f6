"""Search: a request's place and codes turned into terms, nearest-first matching, result records."""
