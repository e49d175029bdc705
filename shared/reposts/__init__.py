"""Reposts: the same job under several LinkedIn ids, grouped so it shows once."""
