"""The public directory: what the public may see, paged lists and records, deltas and the export."""
