"""What every command shares: the runtime from settings, the CLI actor, errors → exit codes."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import typer
from pydantic import ValidationError

from sentinelle.audit.models import Actor
from sentinelle.core.errors import ErrorKind, SentinelleError
from sentinelle.core.settings import load_settings
from sentinelle.migrations.runner import upgrade
from sentinelle.runtime import Runtime

EXIT_BY_KIND = {
    ErrorKind.INVALID: 2,
    ErrorKind.NOT_FOUND: 3,
    ErrorKind.CONFLICT: 4,
    ErrorKind.RULE_VIOLATION: 5,
    ErrorKind.UNAUTHENTICATED: 6,
    ErrorKind.FORBIDDEN: 6,
    ErrorKind.UNAVAILABLE: 7,
}

_state: dict[str, Any] = {"data_dir": None}

P = ParamSpec("P")
R = TypeVar("R")


def set_data_dir(path: Path | None) -> None:
    _state["data_dir"] = path


@contextmanager
def runtime(migrate: bool = True, **overrides: Any) -> Iterator[Runtime]:
    """Open the runtime from the environment, --data-dir and command options (`overrides`,
    checked like the environment); bring the schema up to date."""
    rt = Runtime.open(load_settings(data_dir=_state["data_dir"], **overrides))
    try:
        if migrate:
            upgrade(rt.db.engine)
        yield rt
    finally:
        rt.close()


def cli_actor() -> Actor:
    try:
        return Actor.cli(getpass.getuser())
    except (KeyError, OSError):
        return Actor.cli("unknown")


def fail(code: str, message: str, exit_code: int) -> typer.Exit:
    typer.echo(f"error [{code}]: {message}", err=True)
    return typer.Exit(exit_code)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn Sentinelle and validation errors into one line on stderr and a stable exit code."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SentinelleError as exc:
            raise fail(exc.code, exc.message, EXIT_BY_KIND[exc.kind]) from exc
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise fail("invalid_input", problems, 2) from exc

    return wrapper


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    typer.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)))
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def read_secret_from_stdin() -> str | None:
    """A password piped on stdin (first line), or None when stdin is a terminal or empty."""
    if sys.stdin is None or sys.stdin.isatty():
        return None
    line = sys.stdin.readline().rstrip("\r\n")
    return line or None
