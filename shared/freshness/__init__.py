"""Keeping tracked and recommended postings current: re-checked when old, closed ones flagged."""
