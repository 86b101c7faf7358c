"""Anonymisation of third parties in disclosed footage: people and face detection,
tracking, the redaction plan and the redacted render (no identification of any kind)."""
