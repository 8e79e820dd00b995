"""Persistence: where the data lives, and (from issue 3 on) cases and records in TinyDB."""
