"""Wall layouts: a grid of 1, 4, 9 or 16 tiles, each showing one camera or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

GRIDS = (1, 4, 9, 16)


class LayoutInput(BaseModel):
    """What a user saves: a name, the grid, the camera of each tile (row by row; None empty),
    and whether everyone who may watch live sees it as a preset."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    grid: int
    tiles: list[int | None] = Field(max_length=16)
    shared: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """A saved layout as one user may see it: tiles out of their scope read as empty."""

    id: int
    name: str
    grid: int
    tiles: tuple[int | None, ...]
    shared: bool
    owner_id: int
    owner: str
    updated_at: datetime
    hidden_tiles: int  # tiles emptied because their camera is outside the reader's scope
