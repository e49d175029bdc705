"""Career path (issue 11): what the user has (profile, resume), how well they qualify for
each posting (match), and what stands between them and the postings they want (map, gaps,
plan)."""
