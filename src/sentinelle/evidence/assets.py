"""The files of a package besides the videos: the report (HTML, PDF), the read-me, the
standalone verifier and the player, each from its module or the package's data."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sentinelle.evidence import report

_HERE = Path(__file__).parent
VERIFIER = "verification/verifier.py"
PLAYER = "lecteur/index.html"


def host_name() -> str:
    return socket.gethostname() or "sentinelle"


def documents(manifest: Mapping[str, Any]) -> Iterator[tuple[str, bytes]]:
    """(path in the package, content) of every document, from the manifest without files."""
    yield "LISEZMOI.txt", report.readme_text(manifest).encode()
    yield "rapport/rapport.html", report.render_html(manifest).encode()
    yield "rapport/rapport.pdf", report.render_pdf(manifest)
    yield VERIFIER, (_HERE / "verifier.py").read_bytes()
    yield PLAYER, (_HERE / "player" / "index.html").read_bytes()
