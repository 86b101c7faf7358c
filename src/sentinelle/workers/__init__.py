"""Process entry points and periodic loops (one module per kind of worker)."""
