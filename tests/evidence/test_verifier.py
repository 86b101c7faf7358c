"""The standalone verifier against a package built here from real footage: accepted whole,
as a directory and as a ZIP; every changed byte, missing, extra file or broken chain link is
reported with the file it concerns; the shipped script runs with cryptography alone."""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import struct
import subprocess
import sys
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sentinelle.evidence import verifier
from sentinelle.evidence.signing import SiteSigner, load_signer
from sentinelle.evidence.verifier import Report, verify_package
from sentinelle.ingest.clips import write_clip
from sentinelle.runtime import Runtime
from sentinelle.storage import layout, policy, repository
from sentinelle.storage.tables import SegmentRow
from tests import factories as f
from tests.evidence.test_oeff import seal
from tests.support.footage import record_clip

ANCHOR = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
GENESIS = "0" * 64
VENV_PYTHON = Path(sys.executable)
SYSTEM_PYTHON = "/usr/bin/python3"
VIDEO = "video/CAM-001_20261122T080000Z.mp4"
INDEX = "index/CAM-001_20261122T080000Z.json"
VERIFIER_SOURCE = Path(verifier.__file__)


def canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2).encode()


def entry(root: Path, path: str, key: str = "path") -> dict[str, Any]:
    data = (root / path).read_bytes()
    return {key: path, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def chain_entries(rows: list[SegmentRow]) -> list[dict[str, Any]]:
    """The manifest's `segments`: the catalogue's chain links, texts as hashed."""
    out: list[dict[str, Any]] = []
    for row in rows:
        prev = out[-1]["chain_hash"] if out else GENESIS
        out.append(
            {
                "chain_seq": row.chain_seq,
                "prev_chain_hash": prev,
                "chain_hash": row.chain_hash,
                "sha256": row.sha256,
                "start": row.start_at.isoformat(),
                "end": row.end_at.isoformat(),
                "bytes": row.bytes,
            }
        )
    return out


def sign_manifest(root: Path, manifest: dict[str, Any], signer: SiteSigner) -> None:
    data = canonical(manifest)
    (root / "manifest.json").write_bytes(data)
    (root / "manifest.json.sig").write_bytes(signer.sign_pss(data))
    (root / "manifest.json.p7s").write_bytes(signer.sign_cms_detached(data))


@pytest.fixture
def package(rt: Runtime, tmp_path: Path) -> Path:
    """A complete package: one sealed recorded MP4, its index, report, verifier, player."""
    signer = load_signer(rt)
    _, _, cameras = f.town(rt)
    clip = write_clip(tmp_path / "clip.mp4", 8, fps=10, gop_seconds=1)
    finished = record_clip(rt, cameras[0].id, clip, ANCHOR, target=timedelta(seconds=2))
    with rt.db.read() as s:
        rows = repository.segments_between(s, cameras[0].id, ANCHOR, ANCHOR + timedelta(minutes=1))
    assert len(rows) >= 3
    root = tmp_path / "EXP-20261122-0001"
    for folder in ("video", "index", "rapport", "verification", "lecteur"):
        (root / folder).mkdir(parents=True)
    recorded = layout.recordings_root(rt.settings.resolved_data_dir) / finished[0].path
    seal(recorded, root / VIDEO, signer)
    (root / INDEX).write_text(json.dumps({"file": VIDEO, "timescale": 90000, "pts": [0]}))
    (root / "LISEZMOI.txt").write_text("Paquet d'extraction.\n")
    (root / "certificate.pem").write_bytes(signer.certificate_pem())
    (root / "rapport" / "rapport.html").write_text("<h1>Rapport d'extraction</h1>\n")
    shutil.copy(VERIFIER_SOURCE, root / "verification" / "verifier.py")
    (root / "lecteur" / "index.html").write_text("<!doctype html><title>Lecteur</title>\n")
    listed = ["LISEZMOI.txt", "certificate.pem", INDEX, "rapport/rapport.html"]
    listed += ["verification/verifier.py", "lecteur/index.html"]
    item = entry(root, VIDEO, "file") | {
        "camera": {"id": cameras[0].id, "code": "CAM-001"},
        "index": INDEX,
        "segments": chain_entries(rows),
        "onvif_signature": True,
    }
    manifest = {
        "schema": "sentinelle.export/1",
        "certificate": {"file": "certificate.pem", "sha256_fingerprint": signer.fingerprint()},
        "items": [item],
        "files": [entry(root, path) for path in listed],
    }
    sign_manifest(root, manifest, signer)
    return root


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def problems(report: Report) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in report.problems]


def zip_package(root: Path, target: Path, *, folder: bool = True) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                prefix = f"{root.name}/" if folder else ""
                archive.write(path, prefix + path.relative_to(root).as_posix())
    return target


def test_a_complete_package_holds(rt: Runtime, package: Path, tmp_path: Path) -> None:
    report = verify_package(package)
    assert report.problems == []
    assert report.ok
    assert report.files_checked == 7
    assert report.videos_checked == 1
    assert report.certificate_fingerprint == load_signer(rt).fingerprint()
    for folder in (True, False):
        archive = zip_package(package, tmp_path / f"pkg-{folder}.zip", folder=folder)
        zipped = verify_package(archive)
        assert zipped.problems == []
        assert zipped.ok
        assert (zipped.files_checked, zipped.videos_checked) == (7, 1)


@pytest.mark.parametrize(
    ("name", "offset"),
    [
        ("LISEZMOI.txt", 3),
        ("certificate.pem", 100),
        (VIDEO, 2000),  # inside the fragments
        (VIDEO, -120),  # inside the certificate of the seal
        (INDEX, 5),
        ("rapport/rapport.html", 4),
        ("verification/verifier.py", 1000),
        ("lecteur/index.html", 2),
        ("manifest.json", 40),
        ("manifest.json.sig", 10),
    ],
)
def test_one_flipped_byte_names_its_file(
    package: Path, tmp_path: Path, name: str, offset: int
) -> None:
    flip(package / name, offset)
    archive = zip_package(package, tmp_path / "flipped.zip")
    for report in (verify_package(package), verify_package(archive)):
        assert not report.ok
        assert name in {path for path, _ in problems(report)}, problems(report)


def test_manifest_signature_blames_the_right_file(package: Path) -> None:
    flip(package / "manifest.json", 60)
    assert ("manifest.json", "manifest_signature_invalid") in problems(verify_package(package))
    assert ("manifest.json.sig", "manifest_signature_invalid") not in problems(
        verify_package(package)
    )


def test_video_bytes_changed_fail_hash_and_seal(package: Path) -> None:
    flip(package / VIDEO, 3000)
    assert problems(verify_package(package)) == [
        (VIDEO, "file_changed"),
        (VIDEO, "onvif_signature_invalid"),
    ]


def test_extra_and_missing_files(package: Path) -> None:
    (package / "lecteur" / "extra.js").write_text("alert(1)\n")
    (package / "rapport" / "rapport.html").unlink()
    assert problems(verify_package(package)) == [
        ("rapport/rapport.html", "file_missing"),
        ("lecteur/extra.js", "file_not_listed"),
    ]


def test_zip_entries_outside_the_package_and_duplicates(package: Path, tmp_path: Path) -> None:
    archive = zip_package(package, tmp_path / "pkg.zip")
    with zipfile.ZipFile(archive, "a") as handle:
        handle.writestr("elsewhere.txt", "hors paquet")
        with pytest.warns(UserWarning, match="Duplicate name"):
            handle.writestr(f"{package.name}/LISEZMOI.txt", "autre texte")
    assert problems(verify_package(archive)) == [
        (f"{package.name}/LISEZMOI.txt", "zip_duplicate_entry"),
        ("elsewhere.txt", "file_not_listed"),
        ("LISEZMOI.txt", "file_changed"),
    ]


def test_damaged_zip_member_names_its_file(package: Path, tmp_path: Path) -> None:
    archive = zip_package(package, tmp_path / "pkg.zip")
    for name in ("rapport/rapport.html", VIDEO, "manifest.json"):
        damaged = tmp_path / "damaged.zip"
        shutil.copy(archive, damaged)
        with zipfile.ZipFile(damaged) as handle:
            offset = handle.getinfo(f"{package.name}/{name}").header_offset
        data = damaged.read_bytes()
        name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
        flip(damaged, offset + 30 + name_len + extra_len + 5)
        assert problems(verify_package(damaged)) == [(name, "file_changed")]


def resign(package: Path, rt: Runtime, change: Any) -> None:
    manifest = json.loads((package / "manifest.json").read_bytes())
    change(manifest)
    sign_manifest(package, manifest, load_signer(rt))


def test_broken_chain_links_are_reported(rt: Runtime, package: Path) -> None:
    def forge_hash(manifest: dict[str, Any]) -> None:
        manifest["items"][0]["segments"][1]["sha256"] = "f" * 64

    resign(package, rt, forge_hash)
    report = verify_package(package)
    assert problems(report) == [(VIDEO, "chain_broken")]
    assert "n° 2 : maillon" in report.problems[0].message


def test_unlinked_segments_are_reported(rt: Runtime, package: Path) -> None:
    def unlink(manifest: dict[str, Any]) -> None:
        seg = manifest["items"][0]["segments"][-1]
        seg["prev_chain_hash"] = "a" * 64
        text = f"{seg['prev_chain_hash']}|{seg['sha256']}|{manifest['items'][0]['camera']['id']}"
        text += f"|{seg['start']}|{seg['end']}|{seg['bytes']}"
        seg["chain_hash"] = hashlib.sha256(text.encode()).hexdigest()

    resign(package, rt, unlink)
    report = verify_package(package)
    assert problems(report) == [(VIDEO, "chain_broken")]
    assert "non relié" in report.problems[0].message


def test_a_server_masked_segments_link_covers_its_mask(rt: Runtime, package: Path) -> None:
    """A segment burnt in by the server states its mask version, which its link binds: a
    manifest that drops (or invents) it breaks the chain."""

    def mask_last(manifest: dict[str, Any]) -> None:
        seg = manifest["items"][0]["segments"][-1]
        seg["mask_version"], seg["mask_digest"] = 4, "e" * 64
        seg["chain_hash"] = policy.chain_hash(
            seg["prev_chain_hash"],
            seg["sha256"],
            manifest["items"][0]["camera"]["id"],
            datetime.fromisoformat(seg["start"]),
            datetime.fromisoformat(seg["end"]),
            seg["bytes"],
            (4, "e" * 64),
        )

    def unmask_last(manifest: dict[str, Any]) -> None:
        seg = manifest["items"][0]["segments"][-1]
        del seg["mask_version"], seg["mask_digest"]

    resign(package, rt, mask_last)
    assert verify_package(package).ok
    resign(package, rt, unmask_last)
    assert problems(verify_package(package)) == [(VIDEO, "chain_broken")]


def test_malformed_manifests(rt: Runtime, package: Path) -> None:
    def unlist_index(manifest: dict[str, Any]) -> None:
        manifest["files"] = [e for e in manifest["files"] if e["path"] != INDEX]

    resign(package, rt, unlist_index)
    assert problems(verify_package(package)) == [
        (INDEX, "manifest_invalid"),
        (INDEX, "file_not_listed"),
    ]

    def escape(manifest: dict[str, Any]) -> None:
        manifest["files"].append({"path": "../secret", "bytes": 1, "sha256": "0" * 64})

    resign(package, rt, escape)
    assert ("../secret", "manifest_invalid") in problems(verify_package(package))


def test_shipped_script_runs_with_cryptography_alone(package: Path, tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(package / "verification" / "verifier.py", alone / "verifier.py")

    def run(*args: Path) -> subprocess.CompletedProcess[str]:
        command = [str(VENV_PYTHON), "-I", "verifier.py", *map(str, args)]
        return subprocess.run(command, cwd=alone, capture_output=True, text=True, check=False)

    ok = run(package)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "RÉSULTAT : CONFORME" in ok.stdout
    zipped = run(zip_package(package, tmp_path / "pkg.zip"))
    assert zipped.returncode == 0, zipped.stdout
    flip(package / INDEX, 3)
    bad = run(package)
    assert bad.returncode == 1
    assert "NON CONFORME" in bad.stdout
    assert f"{INDEX} : fichier modifié" in bad.stdout
    assert run().returncode == 2


def system_python_with_cryptography() -> str | None:
    """Debian's python3 with its own (older) python3-cryptography, outside the project."""
    probe = [SYSTEM_PYTHON, "-I", "-c", "import cryptography"]
    if not Path(SYSTEM_PYTHON).exists():
        return None
    found = subprocess.run(probe, capture_output=True, check=False).returncode == 0
    return SYSTEM_PYTHON if found else None


def test_shipped_script_runs_on_a_foreign_python(package: Path, tmp_path: Path) -> None:
    python = system_python_with_cryptography()
    if python is None:
        pytest.skip("no system python3 with python3-cryptography on this machine")
    script = shutil.copy(package / "verification" / "verifier.py", tmp_path / "verifier.py")
    command = [python, "-I", str(script), str(package)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    flip(package / VIDEO, 2500)
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert f"{VIDEO} : signature ONVIF n° 1 invalide" in result.stdout


def test_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(VERIFIER_SOURCE.read_text())
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            roots.add(node.module.split(".")[0])
    assert roots - set(sys.stdlib_module_names) == {"cryptography"}
