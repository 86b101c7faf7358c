"""The disclosure package: the redacted video, the redaction log and its signatures, the
site certificate and a read-me, written like an export package (under `.partial`, renamed
once complete, D5) and verifiable without Sentinelle (`openssl cms -verify`). Also the
verification of such a package as it is on disk now (D6).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from sentinelle import __version__
from sentinelle.disclosure.models import LOG_SCHEMA
from sentinelle.disclosure.tables import DisclosureRow
from sentinelle.evidence import manifest
from sentinelle.evidence import service as evidence
from sentinelle.evidence.manifest import utc_text
from sentinelle.evidence.package import PackageWriter
from sentinelle.evidence.signing import SiteSigner, fingerprint
from sentinelle.privacy.anonymise import effects, plan, render
from sentinelle.privacy.anonymise.models import Analysis, RedactionPlan, RenderStats, Track
from sentinelle.runtime import Runtime
from sentinelle.storage import layout

LOG_FILE = "redaction-log.json"
SIGNATURE_FILE = "redaction-log.json.sig"
CMS_FILE = "redaction-log.json.p7s"
README_FILE = "LISEZMOI.txt"


@dataclass(frozen=True, slots=True)
class Made:
    path: Path
    output_sha256: str
    log_sha256: str
    bytes: int


def video_name(source_file: str) -> str:
    return f"video/{PurePosixPath(source_file).stem}-anonymise.mp4"


def make(
    rt: Runtime,
    row: DisclosureRow,
    source: Path,
    analysis: Analysis,
    redaction: RedactionPlan,
    signer: SiteSigner,
    on_progress: Callable[[float], None],
) -> Made:
    """Render the redacted file and write the signed package; nothing is left on failure."""
    out_dir = rt.settings.resolved_data_dir / "disclosures"
    pkg = PackageWriter(out_dir, row.reference)
    try:
        rel = video_name(row.source_file)
        stats = render.render(
            source, pkg.path_of(rel), analysis, redaction, on_progress=on_progress
        )
        video = pkg.adopt(rel)
        pkg.add(manifest.CERTIFICATE_FILE, signer.certificate_pem())
        base = build_log(rt, row, analysis, redaction, stats, signer, video.sha256)
        pkg.add(README_FILE, readme(base).encode())
        data = manifest.canonical(manifest.with_files(base, pkg.files))
        pkg.add(LOG_FILE, data)
        pkg.add(SIGNATURE_FILE, signer.sign_pss(data, 32))
        pkg.add(CMS_FILE, signer.sign_cms_detached(data))
        final = pkg.seal()
    except BaseException:
        pkg.discard()
        raise
    size = sum(p.stat().st_size for p in final.rglob("*") if p.is_file())
    return Made(final, video.sha256, layout.sha256_of(final / LOG_FILE), size)


def build_log(
    rt: Runtime,
    row: DisclosureRow,
    analysis: Analysis,
    redaction: RedactionPlan,
    stats: RenderStats,
    signer: SiteSigner,
    output_sha256: str,
) -> dict[str, Any]:
    """The redaction log without its `files` list: who, when, why, which regions, the
    hashes before and after (D6). Tracks are shapes in frames, never identities (D7)."""
    hidden = hidden_tracks(analysis, redaction)
    return {
        "schema": LOG_SCHEMA,
        "reference": row.reference,
        "created_at": utc_text(rt.now()),
        "software": {"name": "Sentinelle", "version": __version__},
        "site": {"name": rt.settings.site_name, "timezone": rt.settings.site_timezone},
        "purpose": row.purpose,
        "recipient": row.recipient,
        "reason": row.reason,
        "requested": _who(row.requested_by_kind, row.requested_by_name, row.created_at),
        "reviewed": {"name": row.plan_saved_by, "at": _at(row.plan_saved_at)},
        "rendered": _who(row.render_requested_by_kind, row.render_requested_by_name, rt.now()),
        "source": _source(rt, row),
        "output": {
            "file": video_name(row.source_file),
            "sha256": output_sha256,
            "frames": stats.frames,
            "encoder": stats.encoder,
        },
        "video": {
            "frames": analysis.facts.frames,
            "fps": analysis.facts.fps,
            "width": analysis.facts.width,
            "height": analysis.facts.height,
        },
        "detection": analysis.detector,
        "effect": str(redaction.effect),
        "regions": {
            "person_margin": plan.PERSON_MARGIN,
            "face_margin": plan.FACE_MARGIN,
            "rule": "each hidden track's box grown by its margin of its size on every side,"
            " clipped to the picture; manual regions as drawn",
            "effect_parameters": effects.parameters(redaction.effect),
        },
        "kept_tracks": [_summary(t) for t in analysis.tracks if t.id in redaction.keep],
        "dismissed_tracks": [_summary(t) for t in analysis.tracks if t.id in redaction.dismissed],
        "hidden_by_decision": sorted(redaction.hidden),
        "hidden_tracks": [_summary(t) | {"boxes": _boxes(t)} for t in hidden],
        "manual_regions": [
            {
                "id": r.id,
                "first_frame": r.first_frame,
                "last_frame": r.last_frame,
                "box": r.box.as_list(),
            }
            for r in redaction.manual
        ],
        "totals": {
            "frames_redacted": stats.frames_redacted,
            "regions_hidden": stats.regions,
        },
        "certificate": {
            "file": manifest.CERTIFICATE_FILE,
            "sha256_fingerprint": signer.fingerprint(),
            "subject": signer.subject(),
        },
    }


def hidden_tracks(analysis: Analysis, redaction: RedactionPlan) -> list[Track]:
    """The tracks the render hides (`plan.visible_tracks` are the others)."""
    shown = plan.visible_tracks(analysis, redaction)
    return [t for t in analysis.tracks if t.id not in shown]


def _who(kind: str, name: str, at: datetime | None) -> dict[str, str]:
    return {"kind": kind, "name": name, "at": _at(at)}


def _at(at: datetime | None) -> str:
    return utc_text(at) if at is not None else ""


def _source(rt: Runtime, row: DisclosureRow) -> dict[str, Any]:
    export = evidence.get_export(rt, row.export_id)
    return {
        "export": export.reference,
        "export_manifest_sha256": export.manifest_sha256,
        "file": row.source_file,
        "sha256": row.source_sha256,
        "camera_id": row.camera_id,
    }


def _summary(track: Track) -> dict[str, Any]:
    return {
        "id": track.id,
        "kind": str(track.kind),
        "parent": track.parent,
        "first_frame": track.first_frame,
        "last_frame": track.last_frame,
    }


def _boxes(track: Track) -> list[list[float | int | bool]]:
    return [[b.frame, *b.box.as_list(), b.detected] for b in track.boxes]


def readme(log: dict[str, Any]) -> str:
    """The French read-me: what the package is and how to check it without Sentinelle."""
    source = log["source"]
    return "\n".join(
        [
            f"Copie anonymisée {log['reference']} — {log['site']['name']}",
            "",
            f"Destinataire : {log['recipient']}",
            f"Finalité : {log['purpose']}",
            f"Extraction d'origine : {source['export']}, fichier {source['file']}",
            f"Empreinte SHA-256 du fichier d'origine : {source['sha256']}",
            f"Fichier anonymisé : {log['output']['file']}",
            f"Empreinte SHA-256 du fichier anonymisé : {log['output']['sha256']}",
            "",
            "Les personnes autres que la personne concernée ont été floutées ou pixellisées;",
            "aucune reconnaissance faciale ni identification n'a été faite.",
            f"Le journal d'anonymisation ({LOG_FILE}) liste chaque zone masquée, image par",
            "image, et les empreintes avant et après. Il est signé par le certificat du site.",
            "",
            "Vérifier la signature (OpenSSL) :",
            f"  openssl cms -verify -binary -inform DER -in {CMS_FILE} \\",
            f"    -content {LOG_FILE} -certfile {manifest.CERTIFICATE_FILE} -noverify",
            "Vérifier l'empreinte de la vidéo :",
            f"  sha256sum {log['output']['file']}",
            "",
        ]
    )


@dataclass
class Verification:
    ok: bool = True
    files_checked: int = 0
    certificate_fingerprint: str = ""
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # path, code, message

    def problem(self, path: str, code: str, message: str) -> None:
        self.ok = False
        self.problems.append((path, code, message))


def verify(
    path: Path, log_sha256: str | None = None, site_fingerprints: frozenset[str] = frozenset()
) -> Verification:
    """Check the log's signature against the package's certificate and every listed file's
    size and hash, as the package is on disk now; that no file was added; and, given them,
    that the log is the one recorded at render time (`log_sha256`) and the certificate one
    of the site's (`site_fingerprints`): a package rebuilt and signed with another key fails."""
    report = Verification()
    try:
        data = (path / LOG_FILE).read_bytes()
        signature = (path / SIGNATURE_FILE).read_bytes()
        cert = x509.load_pem_x509_certificates((path / manifest.CERTIFICATE_FILE).read_bytes())[0]
        log = json.loads(data)
    except (OSError, ValueError, IndexError) as exc:
        report.problem(str(path), "disclosure_unreadable", f"paquet illisible : {exc}")
        return report
    report.certificate_fingerprint = fingerprint(cert)
    _check_signature(report, cert, data, signature)
    _check_origin(report, log, data, log_sha256, site_fingerprints)
    for item in log.get("files", []):
        _check_file(report, path, item)
    _check_unlisted(report, path, log)
    if log.get("output", {}).get("sha256") not in {f.get("sha256") for f in log.get("files", [])}:
        report.problem(LOG_FILE, "output_hash_mismatch", "la vidéo n'a pas l'empreinte du journal")
    return report


def _check_origin(
    report: Verification,
    log: dict[str, Any],
    data: bytes,
    log_sha256: str | None,
    site_fingerprints: frozenset[str],
) -> None:
    declared = log.get("certificate", {}).get("sha256_fingerprint")
    if declared != report.certificate_fingerprint:
        report.problem(manifest.CERTIFICATE_FILE, "certificate_mismatch",
                       "le certificat n'est pas celui que le journal déclare")  # fmt: skip
    if site_fingerprints and report.certificate_fingerprint not in site_fingerprints:
        report.problem(manifest.CERTIFICATE_FILE, "certificate_foreign",
                       "le certificat n'est pas celui du site")  # fmt: skip
    if log_sha256 is not None and hashlib.sha256(data).hexdigest() != log_sha256:
        report.problem(LOG_FILE, "log_replaced",
                       "le journal n'est pas celui enregistré à la production")  # fmt: skip


def _check_unlisted(report: Verification, path: Path, log: dict[str, Any]) -> None:
    listed = {str(f.get("path")) for f in log.get("files", [])}
    listed |= {LOG_FILE, SIGNATURE_FILE, CMS_FILE}
    for extra in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = extra.relative_to(path).as_posix()
        if rel not in listed:
            report.problem(rel, "file_unlisted", "fichier ajouté après la signature")


def _check_signature(report: Verification, cert: x509.Certificate, data: bytes, sig: bytes) -> None:
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        report.problem(manifest.CERTIFICATE_FILE, "certificate_not_rsa", "clé non RSA")
        return
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
    try:
        key.verify(sig, data, pss, hashes.SHA256())
    except InvalidSignature:
        report.problem(SIGNATURE_FILE, "signature_invalid", "la signature du journal est fausse")


def _check_file(report: Verification, path: Path, item: dict[str, Any]) -> None:
    rel = str(item.get("path", ""))
    target = path / rel
    report.files_checked += 1
    if ".." in PurePosixPath(rel).parts or not target.is_file():
        report.problem(rel, "file_missing", "fichier absent du paquet")
        return
    if target.stat().st_size != item.get("bytes") or layout.sha256_of(target) != item.get("sha256"):
        report.problem(rel, "file_hash_mismatch", "fichier modifié depuis la signature")
