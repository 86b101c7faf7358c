"""The full metadata: importing every domain's tables registers them on `Base.metadata`."""

from __future__ import annotations

import sqlalchemy as sa

from sentinelle.access import tables as _access_tables
from sentinelle.audit import tables as _audit_tables
from sentinelle.db.base import Base
from sentinelle.disclosure import tables as _disclosure_tables
from sentinelle.evidence import tables as _evidence_tables
from sentinelle.ingest import tables as _ingest_tables
from sentinelle.privacy import tables as _privacy_tables
from sentinelle.registry import tables as _registry_tables
from sentinelle.storage import tables as _storage_tables
from sentinelle.wall import tables as _wall_tables

TABLE_MODULES = (
    _access_tables,
    _audit_tables,
    _registry_tables,
    _storage_tables,
    _ingest_tables,
    _evidence_tables,
    _wall_tables,
    _privacy_tables,
    _disclosure_tables,
)


def target_metadata() -> sa.MetaData:
    return Base.metadata
