"""Database: engine and sessions (SQLite WAL embedded default, PostgreSQL in production), the
declarative base every domain's tables share, column types, and the Alembic migrations."""
