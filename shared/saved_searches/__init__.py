"""Saved searches: a search the user keeps, run on a schedule, with the matches it found."""
