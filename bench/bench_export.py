"""Export benchmark (issue 4): evidence export throughput against `cat` of the same files.

Footage: one real 60-second segment of 1080p25 H.264 at about 4 Mbit/s with a keyframe every
2 s (the generated clip of `bench_ingest`, about 30 MB, cached in the temp dir), recorded
through the real `SegmentWriter` and catalogued (as `tests/support/footage.py::record_clip` does).
That file is then copied (real copies, not links: each read comes from its own blocks) to the
layout path of each further minute and catalogued as a consecutive segment
(`ingest.recovery.catalogue`), so every camera's chain, hashes and rows are as the ingest
worker makes them. Catalogue on SQLite, in a fresh data directory under `--dir` (default: the
system's temp dir), a `FakeClock` set after the footage; packages and the `cat` output go to
an `out/` directory beside it, on the same disk. Everything is deleted at the end.

Scenarios (as the issue names them):
* one-hour: 1 camera x 60 segments (1 h, about 1.8 GB);
* eight-cameras: 8 cameras x 10 segments (10 min each, about 2.4 GB), one export of the 8.

Measured, per scenario, `--repeats` times alternating baseline, floor and export, each after
`sync` and `echo 3 > /proc/sys/vm/drop_caches` (so both read the footage from the disk):
* baseline: `cat` of the same segment files (those the export reads, in its order) into one
  file of `out/`, then `sync FILE` (fsync of that file: the export fsyncs what it writes);
  timed around the two `subprocess.run` calls;
* floor (a second baseline, to tell our overhead from what the invariants cost): the least an
  export must do, in Python, threaded as the export is: each source mapped and SHA-256'd in a
  read-ahead thread, written whole to one file while another thread hashes what was written,
  fsync (`time_floor`); no parsing, boxes, documents or database;
* export: `evidence.service.do_request_export` (CLI actor, full scope) + `claim_next` +
  `run_export`, which must end `done`: hold, segments re-read and re-hashed (SHA-256 against
  the catalogue, E5), one lossless fragmented MP4 per camera with its timed text, hashed and
  ONVIF-signed (RSA-PSS), frame indexes, report (HTML + PDF), manifest and its signatures
  (PSS + CMS), fsync of every file and directory, rename, export journal lines;
* the package ZIP (`evidence.package.write_zip`), right after each export, as the job would
  run it: the package is then still in the page cache. Reported apart; the headline ratio
  is the package directory's.
Figure: MB/s of source footage (10^6 bytes of catalogued segments per second), median of the
repeats, and the ratio export / cat (target >= 0.70). Beside each measure, the CPU seconds of
this process (all threads) and of its children, and of the rest of the machine (/proc/stat):
on a shared machine, others' work comes off a CPU-bound export. Also printed: SHA-256 over a
segment held in memory, one thread (the floor of the export's two hashing passes). The site
signing key is created before any measure (a site has one). The first package of each
scenario is checked with `evidence.verifier.verify_package` (untimed; `--no-verify` skips it).
`--minutes N` shortens every scenario to N minutes per camera (quick checks).

Profile: one more export per scenario (caches dropped too) under cProfile; the top functions
by own time and the cumulative time of the export's stages are printed, the dump is written
to bench/results/. cProfile slows Python code more than I/O and native code: read shares.

Run:  flock /tmp/sentinelle-bench.lock .venv/bin/python -m bench.bench_export \
          [--scenario one-hour|eight-cameras|all] [--repeats 3]
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import json
import mmap
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import cryptography

from bench.bench_ingest import ClipFacts, clip_facts, clip_path, register_cameras
from bench.common import code_state
from sentinelle.access.models import CameraScope
from sentinelle.audit.models import Actor
from sentinelle.core.clock import FakeClock
from sentinelle.core.settings import Settings
from sentinelle.evidence import service, verifier
from sentinelle.evidence.models import ExportRequest, ExportStatus
from sentinelle.evidence.package import write_zip
from sentinelle.evidence.signing import load_signer
from sentinelle.evidence.tables import ExportRow
from sentinelle.ingest.clips import copy_through_writer
from sentinelle.ingest.recovery import catalogue
from sentinelle.ingest.writer import FinishedSegment
from sentinelle.migrations.runner import upgrade
from sentinelle.runtime import Runtime
from sentinelle.storage import layout

RESULTS_DIR = Path(__file__).parent / "results"
ACTOR = Actor.cli("bench.export")
CLIP_SECONDS = 60
MB = 1_000_000
TARGET = 0.70
DROP_CACHES = Path("/proc/sys/vm/drop_caches")
Key = tuple[str, int, str]  # a profile entry: file, line, function
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    cameras: int
    minutes: int  # one 60 s segment per minute, per camera


SCENARIOS = {
    "one-hour": Scenario("one-hour", 1, 60),
    "eight-cameras": Scenario("eight-cameras", 8, 10),
}

# Stages of an export: the function whose cumulative time is the stage's (file suffix, name;
# "~" for built-ins). Stages missing from a profile (code changed) are not listed.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("run_export (the whole job, main thread)", "evidence/service.py", "run_export"),
    ("read + check the sources (E5, in the read-ahead thread if any)", "build.py", "_read_source"),
    ("  of which Path.read_bytes", "pathlib.py", "read_bytes"),
    ("  of which SHA-256 of the sources", "~", "<built-in method _hashlib.openssl_sha256>"),
    ("main thread waiting for the read-ahead (Future.result)", "futures/_base.py", "result"),
    ("parse source fragments (mp4.read_samples via build._kept)", "evidence/build.py", "_kept"),
    ("write fragments (build._Part.add, mp4.ExportWriter)", "evidence/build.py", "add"),
    ("  HashingFile.write (all package files)", "evidence/package.py", "write"),
    ("    of which file writes", "~", "<method 'write' of '_io.BufferedWriter' objects>"),
    ("    of which SHA-256 updates", "~", "<method 'update' of '_hashlib.HASH' objects>"),
    ("close package files (flush + fsync)", "evidence/package.py", "close"),
    ("ONVIF seal (meta box, RSA-PSS)", "evidence/build.py", "_seal"),
    ("report, read-me, verifier, player, manifest, signatures", "service.py", "_write_documents"),
    ("progress writes (DB, every 0.5 s)", "evidence/service.py", "__call__"),
    ("gaps from the timeline", "evidence/service.py", "_gaps"),
    ("seal the package (fsync directories, rename)", "evidence/package.py", "seal"),
    ("mark done, export journal lines (_done)", "evidence/service.py", "_done"),
    ("load the site signer", "evidence/signing.py", "load_signer"),
    ("all fsync calls", "~", "<built-in method posix.fsync>"),
)
# Threads blocked waiting (the idle read-ahead worker, the main thread on its future): left
# out of the "top by own time" list; the main thread's wait is the Future.result stage.
WAITS = frozenset(
    {
        "<method 'get' of '_queue.SimpleQueue' objects>",
        "<method 'acquire' of '_thread.lock' objects>",
    }
)


# --- the site ----------------------------------------------------------------------------------


@dataclass
class Site:
    rt: Runtime
    clock: FakeClock
    cameras: list[int]
    anchor: datetime
    root: Path  # recordings root
    out: Path  # where packages and the cat output go
    segment: FinishedSegment  # the recorded one, copied to every other minute
    files: dict[int, list[Path]] = field(default_factory=dict)  # camera -> its files, in order


def build_site(work: Path, clip: Path, minutes: Sequence[int]) -> Site:
    """A site whose camera i recorded `minutes[i]` consecutive 60 s segments from `anchor`."""
    anchor = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    clock = FakeClock(anchor - timedelta(hours=1))
    rt = Runtime.open(Settings(data_dir=work / "data", database_url=None), clock=clock)
    upgrade(rt.db.engine)
    urls = [f"rtsp://127.0.0.1:8554/cam{i}" for i in range(len(minutes))]
    cameras = register_cameras(rt, urls)
    clock.set(anchor)
    recorded = record(rt, cameras[0], clip, anchor)
    if len(recorded) != 1:
        msg = f"the {CLIP_SECONDS} s clip made {len(recorded)} segments, not 1"
        raise RuntimeError(msg)
    seg = recorded[0]
    root = layout.recordings_root(rt.settings.resolved_data_dir)
    site = Site(rt, clock, cameras, anchor, root, work / "out", seg)
    site.out.mkdir()
    source = root / seg.path
    length = seg.end - seg.start
    began = time.perf_counter()
    for camera, count in zip(cameras, minutes, strict=True):
        site.files[camera] = []
        for k in range(count):
            start = anchor + timedelta(seconds=CLIP_SECONDS * k)
            rel = layout.relative_path(camera, start)
            site.files[camera].append(root / rel)
            if camera == cameras[0] and k == 0:
                continue  # the recorded one
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, root / rel)
            copy = dataclasses.replace(
                seg, camera_id=camera, start=start, end=start + length, path=rel
            )
            clock.set(copy.end)
            catalogue(rt, copy)
    os.sync()
    total = sum(len(v) for v in site.files.values())
    print(
        f"footage: {total} segments of {seg.size / MB:.1f} MB ({length.total_seconds():.2f} s) "
        f"on {len(cameras)} camera(s), copied in {time.perf_counter() - began:.0f} s",
        flush=True,
    )
    clock.set(anchor + timedelta(hours=2))
    load_signer(rt)  # the site's signing key exists before any export
    return site


def record(rt: Runtime, camera_id: int, clip: Path, anchor: datetime) -> list[FinishedSegment]:
    """The clip's packets through the real segment writer from `anchor`, each segment
    catalogued."""
    done: list[FinishedSegment] = []

    def finished(seg: FinishedSegment) -> None:
        done.append(seg)
        catalogue(rt, seg)

    root = layout.recordings_root(rt.settings.resolved_data_dir)
    copy_through_writer(clip, root, camera_id, anchor, finished)
    return done


# --- measures ----------------------------------------------------------------------------------


def sha256_rate(path: Path, passes: int = 5) -> float:
    """MB/s of `hashlib.sha256` over the file's bytes held in memory, one thread, best of
    `passes`: the CPU floor of the export's two hashing passes (sources, then its MP4)."""
    data = path.read_bytes()
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        hashlib.sha256(data).digest()
        best = min(best, time.perf_counter() - start)
    return len(data) / MB / best


def drop_caches(enabled: bool) -> bool:
    """`sync` then drop the page cache (root only); whether it was dropped."""
    os.sync()
    if not enabled:
        return False
    try:
        DROP_CACHES.write_text("3\n")
    except OSError as exc:
        print(f"cannot drop the page cache ({exc}): reads may come from memory", flush=True)
        return False
    return True


@dataclass(frozen=True, slots=True)
class Cpu:
    """CPU seconds spent during a measure: by this process (all its threads) and the
    children it waited for (`cat`, `sync`); by the whole machine (all CPUs, /proc/stat, busy =
    not idle nor iowait); and the machine's iowait."""

    own: float
    machine: float
    iowait: float

    def __sub__(self, before: Cpu) -> Cpu:
        return Cpu(
            self.own - before.own, self.machine - before.machine, self.iowait - before.iowait
        )

    @property
    def others(self) -> float:
        """Busy CPU not ours: other processes, kernel writeback threads, interrupts."""
        return max(0.0, self.machine - self.own)


def cpu_now() -> Cpu:
    t = os.times()
    own = t.user + t.system + t.children_user + t.children_system
    line = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    user, nice, system, _idle, iowait, irq, softirq, steal = map(int, line[1:9])
    busy = user + nice + system + irq + softirq + steal
    return Cpu(own, busy / CLK_TCK, iowait / CLK_TCK)


def time_cat(paths: Sequence[Path], out: Path, expected: int) -> float:
    """`cat` the files into one file of `out`, then `sync` it; seconds."""
    target = out / "cat.bin"
    start = time.perf_counter()
    with target.open("wb") as sink:
        subprocess.run(["cat", *map(str, paths)], stdout=sink, check=True)  # noqa: S603, S607
    subprocess.run(["sync", str(target)], check=True)  # noqa: S603, S607
    seconds = time.perf_counter() - start
    _remove_checked(target, expected, "cat")
    return seconds


def _remove_checked(target: Path, expected: int, what: str) -> None:
    """Remove a baseline's output, which must hold `expected` bytes."""
    size = target.stat().st_size
    target.unlink()
    if size != expected:
        msg = f"{what} wrote {size} bytes, expected {expected}"
        raise RuntimeError(msg)


def time_floor(paths: Sequence[Path], out: Path, expected: int) -> float:
    """The least an export must do, in Python, as the export does it: map each source and
    hash it (read ahead in a thread), write it whole to one file while a second thread hashes
    what was written, then fsync; seconds. No parsing, no boxes, no documents, no database."""
    target = out / "floor.bin"
    output = hashlib.sha256()

    def read(path: Path) -> mmap.mmap:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        mapped.madvise(mmap.MADV_SEQUENTIAL)
        hashlib.sha256(mapped).digest()
        return mapped

    start = time.perf_counter()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with ThreadPoolExecutor(1) as reads, ThreadPoolExecutor(1) as hashes:
        ahead = reads.submit(read, paths[0])
        hashed: Future[None] | None = None
        for n in range(len(paths)):
            mapped = ahead.result()
            if n + 1 < len(paths):
                ahead = reads.submit(read, paths[n + 1])
            if hashed is not None:
                hashed.result()
            hashed = hashes.submit(output.update, mapped)
            view = memoryview(mapped)
            while view:
                view = view[os.write(fd, view) :]
        if hashed is not None:
            hashed.result()
    os.fsync(fd)
    os.close(fd)
    seconds = time.perf_counter() - start
    _remove_checked(target, expected, "the floor copy")
    return seconds


@dataclass
class ExportRun:
    seconds: float
    package_bytes: int
    zip_seconds: float
    zip_bytes: int
    reference: str


def run_export(site: Site, scenario: Scenario) -> tuple[float, ExportRow]:
    """One export of the scenario's cameras and period, through the service as a job runs
    it (request, claim, run); seconds and the finished export."""
    cameras = site.cameras[: scenario.cameras]
    request = ExportRequest.model_validate(
        {
            "camera_ids": cameras,
            "from": site.anchor,
            "to": site.anchor + timedelta(minutes=scenario.minutes),
            "reason": "bench",
        }
    )
    start = time.perf_counter()
    row = service.do_request_export(site.rt, ACTOR, request, CameraScope.everything(), site.out)
    if service.claim_next(site.rt, row.id) != row.id:
        msg = f"export {row.id} could not be claimed"
        raise RuntimeError(msg)
    done = service.run_export(site.rt, row.id)
    seconds = time.perf_counter() - start
    if done.status != ExportStatus.DONE or done.package_path is None:
        msg = f"export {done.reference} ended {done.status}: {done.error_code} {done.error_message}"
        raise RuntimeError(msg)
    return seconds, done


def zip_package(seconds: float, done: ExportRow) -> tuple[ExportRun, Path]:
    """The finished export's ZIP (timed, then removed); the package is left for the caller
    to check and delete."""
    package = Path(done.package_path or "")
    start = time.perf_counter()
    zipped = write_zip(package)
    zip_seconds = time.perf_counter() - start
    run = ExportRun(seconds, done.bytes or 0, zip_seconds, zipped.stat().st_size, done.reference)
    zipped.unlink()
    return run, package


def _cpu(cpu: Cpu) -> str:
    return f"CPU s: ours {cpu.own:.2f}, others {cpu.others:.2f}, iowait {cpu.iowait:.2f}"


@dataclass
class Result:
    scenario: str
    cameras: int
    minutes: int
    segments: int
    source_bytes: int
    caches_dropped: bool
    cat_seconds: list[float] = field(default_factory=list)
    export_seconds: list[float] = field(default_factory=list)
    cat_cpu: list[Cpu] = field(default_factory=list)
    floor_seconds: list[float] = field(default_factory=list)
    floor_cpu: list[Cpu] = field(default_factory=list)
    export_cpu: list[Cpu] = field(default_factory=list)
    exports: list[ExportRun] = field(default_factory=list)
    verified: bool | None = None
    profile_seconds: float = 0.0
    top: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cat_mb_s(self) -> float:
        return self.source_bytes / MB / statistics.median(self.cat_seconds)

    @property
    def export_mb_s(self) -> float:
        return self.source_bytes / MB / statistics.median(self.export_seconds)

    @property
    def ratio(self) -> float:
        return self.export_mb_s / self.cat_mb_s

    @property
    def floor_mb_s(self) -> float:
        return self.source_bytes / MB / statistics.median(self.floor_seconds)

    @property
    def zip_seconds(self) -> float:
        return statistics.median(run.zip_seconds for run in self.exports)

    @property
    def package_bytes(self) -> int:
        return self.exports[0].package_bytes

    def summary(self) -> dict[str, Any]:
        return asdict(self) | {
            "cat_mb_s": self.cat_mb_s,
            "floor_mb_s": self.floor_mb_s,
            "export_mb_s": self.export_mb_s,
            "ratio": self.ratio,
            "zip_seconds_median": self.zip_seconds,
        }


def bench_scenario(site: Site, scenario: Scenario, args: argparse.Namespace) -> Result:
    paths = [  # what the export reads, in its order: camera by camera, in time order
        p
        for camera in site.cameras[: scenario.cameras]
        for p in site.files[camera][: scenario.minutes]
    ]
    source = sum(p.stat().st_size for p in paths)
    res = Result(scenario.name, scenario.cameras, scenario.minutes, len(paths), source, False)
    print(f"\n[{scenario.name}] {len(paths)} segments, {source / MB:,.0f} MB", flush=True)
    for i in range(args.repeats):
        res.caches_dropped = drop_caches(args.drop_caches)
        before = cpu_now()
        res.cat_seconds.append(time_cat(paths, site.out, source))
        res.cat_cpu.append(cpu_now() - before)
        print(
            f"  cat    #{i + 1}: {res.cat_seconds[-1]:6.2f} s, {_cpu(res.cat_cpu[-1])}", flush=True
        )
        res.caches_dropped &= drop_caches(args.drop_caches)
        before = cpu_now()
        res.floor_seconds.append(time_floor(paths, site.out, source))
        res.floor_cpu.append(cpu_now() - before)
        print(
            f"  floor  #{i + 1}: {res.floor_seconds[-1]:6.2f} s, {_cpu(res.floor_cpu[-1])}",
            flush=True,
        )
        res.caches_dropped &= drop_caches(args.drop_caches)
        before = cpu_now()
        seconds, done = run_export(site, scenario)
        res.export_cpu.append(cpu_now() - before)
        run, package = zip_package(seconds, done)
        res.export_seconds.append(run.seconds)
        res.exports.append(run)
        print(
            f"  export #{i + 1}: {run.seconds:6.2f} s, {_cpu(res.export_cpu[-1])} "
            f"({run.reference}, {run.package_bytes / MB:,.0f} MB), ZIP {run.zip_seconds:.2f} s",
            flush=True,
        )
        if i == 0 and args.verify:
            report = verifier.verify_package(package)
            res.verified = report.ok
            print(f"  package verified: {report.ok}", flush=True)
            if not report.ok:
                print(verifier.format_report(report, str(package)))
        shutil.rmtree(package)
    if args.profile:
        profile_export(site, scenario, res, args)
    return res


def profile_export(site: Site, scenario: Scenario, res: Result, args: argparse.Namespace) -> None:
    """One export under cProfile, threads included: each thread the export starts (the
    read-ahead of the sources) gets its own profiler, merged with the main one."""
    drop_caches(args.drop_caches)
    profilers = [cProfile.Profile()]

    def in_new_thread(*_: object) -> None:
        profiler = cProfile.Profile()
        profilers.append(profiler)
        profiler.enable()  # replaces this hook for the rest of the thread

    threading.setprofile(in_new_thread)
    profilers[0].enable()
    try:
        seconds, done = run_export(site, scenario)
    finally:
        profilers[0].disable()
        threading.setprofile(None)
    shutil.rmtree(done.package_path or "")
    res.profile_seconds = seconds
    stats = pstats.Stats(profilers[0])
    for other in profilers[1:]:
        stats.add(other)
    RESULTS_DIR.mkdir(exist_ok=True)
    dump = RESULTS_DIR / f"export-{scenario.name}-{_stamp()}.prof"
    stats.dump_stats(dump)
    raw: dict[Key, tuple[int, int, float, float, dict[Key, Any]]]
    raw = stats.stats  # type: ignore[attr-defined]
    working = [kv for kv in raw.items() if kv[0][2] not in WAITS]
    by_own = sorted(working, key=lambda kv: kv[1][2], reverse=True)[: args.top]
    res.top = [
        {
            "function": _name(key),
            "calls": nc,
            "own_s": tt,
            "cumulative_s": ct,
            "main_caller": _name(max(callers, key=lambda c: callers[c][3])) if callers else "",
        }
        for key, (_, nc, tt, ct, callers) in by_own
    ]
    for label, suffix, name in STAGES:
        keys = [k for k in raw if k[0].endswith(suffix) and k[2] == name]
        if keys:
            spent = sum(raw[k][3] for k in keys)
            share = spent / seconds
            res.stages.append({"stage": label, "cumulative_s": spent, "share": share})
    print(
        f"  profile (cProfile, caches dropped, {len(profilers)} thread(s)): {seconds:.2f} s "
        f"under the profiler; dump {dump}",
        flush=True,
    )


def _name(key: Key) -> str:
    file, line, name = key
    if file == "~":
        return name
    parts = Path(file).parts
    short = "/".join(parts[parts.index("sentinelle") + 1 :]) if "sentinelle" in parts else parts[-1]
    return f"{short}:{line}({name})"


# --- report ----------------------------------------------------------------------------------


def machine(work: Path) -> dict[str, str]:
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    found = subprocess.run(  # noqa: S603
        ["findmnt", "-n", "-o", "SOURCE,FSTYPE,OPTIONS", "--target", str(work)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    device = found.split()[0] if found else ""
    rotational = Path(f"/sys/block/{Path(device).name}/queue/rotational")
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "memory_gb": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f}",
        "os": platform.platform(),
        "python": platform.python_version(),
        "pyav": av.__version__,
        "cryptography": cryptography.__version__,
        "sqlite": sqlite3.sqlite_version,
        "work_dir": str(work),
        "mount": found,
        "rotational": rotational.read_text().strip() if rotational.exists() else "?",
        "load_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_report(
    clip: ClipFacts, results: Sequence[Result], args: argparse.Namespace, info: dict[str, Any]
) -> None:
    print(
        f"\nSource segment: {clip.seconds:.0f} s, 1920x1080 25 fps, {clip.mbit_s:.2f} Mbit/s, "
        f"keyframe every {clip.keyframe_interval_s:.1f} s; median of {args.repeats} "
        f"(cat and export alternating, page cache dropped before each: "
        f"{all(r.caches_dropped for r in results)}); SHA-256 in memory, one thread: "
        f"{info['sha256_mb_s']} MB/s; load average {info['machine']['load_before']} before, "
        f"{info['load_after']} after\n"
    )
    print(
        "| Scenario | source MB | cat + sync (MB/s) | export (MB/s) | ratio export / cat "
        "| target | met | floor (MB/s) | floor / cat | export / floor | package MB "
        "| ZIP s (MB/s) | export + ZIP / cat |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        source = r.source_bytes / MB
        both = source / (statistics.median(r.export_seconds) + r.zip_seconds)
        print(
            f"| {r.scenario} ({r.cameras} x {r.minutes} min) | {source:,.0f} | "
            f"{r.cat_mb_s:.0f} | **{r.export_mb_s:.0f}** | **{r.ratio:.2f}** | ≥ {TARGET:.2f} | "
            f"{'met' if r.ratio >= TARGET else 'not met'} | {r.floor_mb_s:.0f} | "
            f"{r.floor_mb_s / r.cat_mb_s:.2f} | {r.export_mb_s / r.floor_mb_s:.2f} | "
            f"{r.package_bytes / MB:,.0f} | "
            f"{r.zip_seconds:.1f} ({r.package_bytes / MB / r.zip_seconds:.0f}) | "
            f"{both / r.cat_mb_s:.2f} |"
        )
    print("\nRuns (s): " + "; ".join(_runs(r) for r in results))
    print_cpu(results)
    for r in results:
        if not r.top:
            continue
        print(f"\n[{r.scenario}] profile: {r.profile_seconds:.2f} s under cProfile")
        print("| stage (cumulative) | s | share |\n|---|---:|---:|")
        for stage in r.stages:
            print(f"| {stage['stage']} | {stage['cumulative_s']:.2f} | {stage['share']:.0%} |")
        print(
            "\n| function (top by own time) | calls | own s | cumulative s | main caller |"
            "\n|---|---:|---:|---:|---|"
        )
        for top in r.top:
            print(
                f"| `{top['function']}` | {top['calls']:,} | {top['own_s']:.2f} | "
                f"{top['cumulative_s']:.2f} | `{top['main_caller']}` |"
            )


def _runs(r: Result) -> str:
    cat = ", ".join(f"{s:.2f}" for s in r.cat_seconds)
    floor = ", ".join(f"{s:.2f}" for s in r.floor_seconds)
    export = ", ".join(f"{s:.2f}" for s in r.export_seconds)
    return f"{r.scenario}: cat {cat} / floor {floor} / export {export}"


def print_cpu(results: Sequence[Result]) -> None:
    """Median CPU seconds of each side: ours (process and children), the rest of the
    machine during the measure (other work, kernel writeback), iowait."""
    print(
        "\n| Scenario | side | wall s | CPU s ours | CPU s others | iowait s |"
        "\n|---|---|---:|---:|---:|---:|"
    )
    for r in results:
        for side, walls, cpus in (
            ("cat + sync", r.cat_seconds, r.cat_cpu),
            ("floor", r.floor_seconds, r.floor_cpu),
            ("export", r.export_seconds, r.export_cpu),
        ):
            print(
                f"| {r.scenario} | {side} | {statistics.median(walls):.2f} | "
                f"{statistics.median(c.own for c in cpus):.2f} | "
                f"{statistics.median(c.others for c in cpus):.2f} | "
                f"{statistics.median(c.iowait for c in cpus):.2f} |"
            )


def _stamp() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def write_json(info: dict[str, Any], clip: ClipFacts, results: Sequence[Result]) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"export-{_stamp()}.json"
    data = {"info": info, "clip": asdict(clip), "results": [r.summary() for r in results]}
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    p.add_argument("--repeats", type=int, default=3, help="cat/export pairs per scenario")
    p.add_argument(
        "--minutes", type=int, help="quick check: minutes per camera instead of the scenario's"
    )
    p.add_argument("--dir", help="parent of the work directory (default: the temp dir)")
    p.add_argument("--no-drop-caches", dest="drop_caches", action="store_false")
    p.add_argument("--no-profile", dest="profile", action="store_false")
    p.add_argument("--top", type=int, default=10, help="profile: functions listed")
    p.add_argument("--no-verify", dest="verify", action="store_false")
    p.add_argument("--no-json", action="store_true", help="do not write bench/results/*.json")
    args = p.parse_args(argv)
    if args.repeats < 1:
        p.error("--repeats must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    scenarios = [SCENARIOS[n] for n in names]
    if args.minutes:
        scenarios = [dataclasses.replace(s, minutes=args.minutes) for s in scenarios]
    clip = clip_path(CLIP_SECONDS)
    facts = clip_facts(clip)
    cameras = max(s.cameras for s in scenarios)
    minutes = [max(s.minutes for s in scenarios if s.cameras > i) for i in range(cameras)]
    info: dict[str, Any] = {"args": vars(args), "code": code_state("evidence")}
    info["started"] = datetime.now(UTC).isoformat(timespec="seconds")
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="sentinelle-bench-export-", dir=args.dir) as tmp:
        info["machine"] = machine(Path(tmp))
        print(json.dumps(info, indent=1), flush=True)
        site = build_site(Path(tmp), clip, minutes)
        info["sha256_mb_s"] = round(sha256_rate(site.root / site.segment.path))
        print(f"SHA-256 in memory, one thread: {info['sha256_mb_s']} MB/s", flush=True)
        try:
            results = [bench_scenario(site, s, args) for s in scenarios]
        finally:
            site.rt.close()
    info["ended"] = datetime.now(UTC).isoformat(timespec="seconds")
    info["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print_report(facts, results, args, info)
    if not args.no_json:
        print(f"\nresults written to {write_json(info, facts, results)}")


if __name__ == "__main__":
    main()
