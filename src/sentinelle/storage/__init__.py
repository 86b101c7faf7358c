"""Storage (C2, C3): the segment catalogue and per-camera hash chains, retention and the one
`is_deletable` policy, legal holds, the destruction register, sweepers and `storage check`.
Invariants: docs/design/recording-and-storage.md."""
