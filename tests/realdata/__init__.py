"""Hand labels on real public datasets, keyed by dataset and row id (no real text here)."""
