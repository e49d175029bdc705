"""The application tracker: where the user stands with each posting, with dated history."""
