"""Schema migrations (Alembic): applied by `sentinelle db upgrade` and on every start."""
