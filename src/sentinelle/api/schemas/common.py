"""Shared response shapes: pages and the error body."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

MAX_PAGE = 500


class Page(BaseModel, Generic[T]):
    """A page of a list: `items`, the `total` matching, and the window asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


class ErrorBody(BaseModel):
    code: str = Field(examples=["camera_code_taken"])
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class Reason(BaseModel):
    reason: str = Field(default="", max_length=2000)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
