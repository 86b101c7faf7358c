"""Live wall layout shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from sentinelle.wall.models import Layout


class LayoutOut(BaseModel):
    """A layout as the caller may see it; `hidden_tiles` counts tiles emptied because their
    camera is outside the caller's live scope."""

    id: int
    name: str
    grid: int
    tiles: list[int | None]
    shared: bool
    owner_id: int
    owner: str
    mine: bool
    updated_at: datetime
    hidden_tiles: int

    @classmethod
    def of(cls, layout: Layout, user_id: int) -> LayoutOut:
        return cls(
            id=layout.id,
            name=layout.name,
            grid=layout.grid,
            tiles=list(layout.tiles),
            shared=layout.shared,
            owner_id=layout.owner_id,
            owner=layout.owner,
            mine=layout.owner_id == user_id,
            updated_at=layout.updated_at,
            hidden_tiles=layout.hidden_tiles,
        )
