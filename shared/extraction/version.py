"""Bump when a rule change alters results, so stored rule extractions can be recomputed."""

RULES_VERSION = "2026.12.01-2"
