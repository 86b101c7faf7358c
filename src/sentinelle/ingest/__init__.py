"""Ingest (C2): camera sessions through PyAV, packet fan-out, the segment writer.
Invariants: docs/design/recording-and-storage.md (S3, S5, S6)."""
