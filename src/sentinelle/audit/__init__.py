"""Audit: the append-only, hash-chained journal of every action (imports no domain).

Every use case that changes state, and every read of video, calls `record()` inside its own
transaction, so an entry exists exactly when the change it describes was committed.
"""
