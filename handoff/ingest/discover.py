"""Find extract batches in the landing folder (README, "Input contract").

``landing/<crm>/<batch>/<object>.<format>`` or ``landing/<crm>/<batch>.zip``. Everything
else under the landing is reported, never silently skipped: a :class:`Notice` names
the path, why it is not read and what would be.

Zips (a batch zip, a zip inside a batch folder, a zip inside a batch zip) are unpacked
under the work folder within bounds on the expanded size and the expansion ratio
(:class:`ZipLimits`), and only when a file of theirs still has to be loaded: the
content hash of every member is kept beside the unpacked copy, which
:func:`cleanup` removes once its batch is loaded.
"""

from __future__ import annotations

import bz2
import errno
import hashlib
import json
import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from handoff.contract import CRMS, object_for_file

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".csv.gz": "csv",
    ".csv.bz2": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
    ".json": "json",
}
ACCEPTED = (
    ".csv, .csv.gz, .csv.bz2, .tsv, .txt, .parquet, .jsonl, .jsonl.gz, .json or a .zip of them"
)
# Formats a CRM (or a person) exports that handoff does not read, and what to do instead.
UNREADABLE = {
    ".xlsx": "an Excel workbook is not read: save the sheet as CSV",
    ".xls": "an Excel workbook is not read: save the sheet as CSV",
    ".gz": "a gzip file is read only as .csv.gz or .jsonl.gz",
    ".bz2": "a bzip2 file is read only as .csv.bz2",
    ".7z": "a 7-Zip archive is not read: deliver a .zip",
    ".rar": "a RAR archive is not read: deliver a .zip",
    ".tar": "a tar archive is not read: deliver a .zip",
    ".tgz": "a tar archive is not read: deliver a .zip",
}
MAX_ZIP_DEPTH = 2  # a batch zip, and one zip inside it


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


def _unreadable_reason(path: Path) -> str:
    name = path.name.lower()
    for suffix, reason in UNREADABLE.items():
        if name.endswith(suffix):
            return reason
    return f"not a format handoff reads ({ACCEPTED})"


@dataclass(frozen=True)
class ZipLimits:
    """Bounds on what a delivered zip may expand to (a zip bomb, or a mistake, must not
    fill the disk): total expanded bytes and expanded/compressed ratio, over the zip and
    any zip inside it. ``HANDOFF_MAX_UNZIPPED_MB`` / ``HANDOFF_MAX_UNZIP_RATIO``."""

    max_bytes: int = 4096 << 20
    max_ratio: float = 100.0

    @classmethod
    def from_env(cls) -> ZipLimits:
        mb = os.environ.get("HANDOFF_MAX_UNZIPPED_MB")
        ratio = os.environ.get("HANDOFF_MAX_UNZIP_RATIO")
        return cls(
            max_bytes=int(float(mb) * (1 << 20)) if mb else cls.max_bytes,
            max_ratio=float(ratio) if ratio else cls.max_ratio,
        )


class Unreadable(Exception):
    """A delivery that cannot be read at all (not a zip, too large when unpacked):
    its batch is rejected with this one sentence."""


class NoSpace(Exception):
    """The disk under the home is full: nothing is wrong with the batch, it is left
    for the next run (and not recorded as rejected)."""


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MB"


def no_space_message(where: Path, needed: int | None = None) -> str:
    free = shutil.disk_usage(where if where.exists() else where.parent).free
    need = f"{_mb(needed)} needed, " if needed else ""
    return f"no space left under {where}: {need}{_mb(free)} free"


@dataclass(frozen=True)
class ExtractFile:
    crm: str
    object: str | None  # None: the name matches no contract object
    path: Path  # where to read it (inside an unpacked zip for zip members)
    display: str  # path as the user knows it, relative to the landing folder
    format: str
    digest: str | None = None  # content hash, when known without reading the file
    zip_root: Path | None = None  # the unpacked copy this file lives in (zip members)
    problem: str | None = None  # set when the file cannot be read as delivered

    @property
    def sha256(self) -> str:
        return self.digest or sha256_of(self.path)


@dataclass(frozen=True)
class Batch:
    crm: str
    name: str
    files: tuple[ExtractFile, ...]
    display: str = ""  # the folder or zip as the user knows it
    problem: str | None = None  # the whole delivery is unreadable (bad zip, too large)
    problem_sha: str | None = None  # content hash of that delivery
    no_space: bool = False  # the problem is a full disk, not the delivery
    zips: tuple[_ZipCopy, ...] = ()  # zips whose members are files of this batch

    @property
    def batch_id(self) -> str:
        return f"{self.crm}/{self.name}"


@dataclass(frozen=True)
class Notice:
    """Something under the landing that is not read: which path, and why."""

    path: str
    reason: str

    def sentence(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Landing:
    batches: list[Batch] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _ZipCopy:
    """Where a zip is (or would be) unpacked: ``<work>/<stem>-<hash>/`` and, beside it,
    ``<stem>-<hash>.json`` with every member's content hash."""

    zip_path: Path
    display: str
    target: Path
    limits: ZipLimits

    @property
    def manifest(self) -> Path:
        return self.target.with_name(self.target.name + ".json")

    def unpack(self) -> None:
        if self.target.exists():
            return
        tmp = self.target.with_name(self.target.name + ".partial")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _extract(self.zip_path, self.display, tmp, self.limits)
            tmp.rename(self.target)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if exc.errno == errno.ENOSPC:
                raise NoSpace(
                    no_space_message(self.target.parent, _declared_size(self.zip_path))
                ) from exc
            raise
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _declared_size(zip_path: Path) -> int | None:
    try:
        with zipfile.ZipFile(zip_path) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (OSError, zipfile.BadZipFile):
        return None


def _safe_member(name: str) -> PurePosixPath | None:
    """The member's path inside the unpacked copy, or None for a member that would
    land outside it (absolute, ``..``) or is a directory."""
    path = PurePosixPath(name.replace("\\", "/"))
    parts = [p for p in path.parts if p not in ("", ".", "/")]
    if not parts or name.endswith("/") or ".." in parts or path.is_absolute():
        return None
    return PurePosixPath(*parts)


def _extract(zip_path: Path, display: str, into: Path, limits: ZipLimits, depth: int = 1) -> int:
    """Unpack ``zip_path`` into ``into`` (streamed, counting bytes against the limits);
    a zip inside it is unpacked into ``<member>.d/`` in its place. Returns bytes written."""
    compressed = zip_path.stat().st_size
    try:
        zf = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise Unreadable(f"{display}: cannot be read as a zip ({exc})") from exc
    written = 0
    with zf:
        declared = sum(i.file_size for i in zf.infolist())
        _check_size(display, declared, compressed, limits, "would expand")
        free = shutil.disk_usage(into.parent if not into.exists() else into).free
        if declared > free:
            raise NoSpace(no_space_message(into.parent, declared))
        into.mkdir(parents=True, exist_ok=True)
        for info in zf.infolist():
            rel = _safe_member(info.filename)
            if rel is None:
                continue
            dest = into / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(dest, "wb") as out:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        _check_size(display, written, compressed, limits, "expands")
                        out.write(chunk)
            except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile) as exc:
                raise Unreadable(f"{display}: cannot be read as a zip ({exc})") from exc
            except RuntimeError as exc:  # an encrypted member
                raise Unreadable(f"{display}: {info.filename} cannot be unpacked ({exc})") from exc
            if dest.name.lower().endswith(".zip") and depth < MAX_ZIP_DEPTH:
                inner = dest.with_name(dest.name + ".d")
                written += _extract(dest, f"{display}/{rel}", inner, limits, depth + 1)
                dest.unlink()
    return written


def _check_size(display: str, size: int, compressed: int, limits: ZipLimits, verb: str) -> None:
    ratio = size / max(compressed, 1)
    if size > limits.max_bytes or ratio > limits.max_ratio:
        raise Unreadable(
            f"{display}: {verb} from {_mb(compressed)} to {_mb(size)} ({ratio:,.0f}×), past the "
            f"bound of {_mb(limits.max_bytes)} and {limits.max_ratio:,.0f}× "
            "(HANDOFF_MAX_UNZIPPED_MB, HANDOFF_MAX_UNZIP_RATIO); batch not unpacked"
        )


def _zip_files(crm: str, zip_path: Path, display: str, work_dir: Path, limits: ZipLimits):
    """The files of a zip (unpacking it only when its member hashes are not known yet)."""
    copy = _ZipCopy(
        zip_path, display, work_dir / f"{zip_path.stem}-{sha256_of(zip_path)[:16]}", limits
    )
    if copy.manifest.exists():
        members = json.loads(copy.manifest.read_text())["members"]
    else:
        copy.unpack()
        members = {
            p.relative_to(copy.target).as_posix(): sha256_of(p)
            for p in sorted(copy.target.rglob("*"))
            if p.is_file()
        }
        copy.manifest.write_text(json.dumps({"zip": display, "members": members}))
    files, notices = [], []
    for rel, digest in sorted(members.items()):
        path = copy.target / rel
        shown = f"{display}/{rel.replace('.zip.d/', '.zip/')}"
        made = _extract_file(crm, path, shown, digest=digest, zip_root=copy.target)
        if isinstance(made, Notice):
            notices.append(made)
        else:
            files.append(made)
    return files, notices, copy


def _extract_file(crm: str, path: Path, display: str, **extra) -> ExtractFile | Notice | None:
    if path.name.startswith((".", "_")) or path.name.lower() in ("thumbs.db", "desktop.ini"):
        return None
    fmt = file_format(path)
    obj = object_for_file(crm, path.name)
    if fmt is None and path.name.lower().endswith(".zip"):
        return Notice(display, "a zip nested more than one level deep is not read: unpack it")
    if fmt is None:
        if obj is None:
            return Notice(display, f"{_unreadable_reason(path)}; file ignored")
        # Meant as an object's extract but not readable: the batch must not load without it.
        return ExtractFile(
            crm, obj, path, display, "unreadable", problem=_unreadable_reason(path), **extra
        )
    return ExtractFile(crm, obj, path, display, fmt, **extra)


def _folder_files(crm: str, folder: Path, display_root: str, work_dir: Path, limits: ZipLimits):
    files, notices, zips = [], [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        display = f"{display_root}/{rel}"
        if path.name.lower().endswith(".zip"):
            inner, inner_notices, copy = _zip_files(crm, path, display, work_dir, limits)
            files += inner
            notices += inner_notices
            zips.append(copy)
            continue
        made = _extract_file(crm, path, display)
        if isinstance(made, Notice):
            notices.append(made)
        elif made is not None:
            files.append(made)
    return files, notices, zips


def discover(landing: Path, work_dir: Path, limits: ZipLimits | None = None) -> Landing:
    """Every batch under ``landing``, in load order: CRM, then batch name (dated
    names sort chronologically), and a notice for everything that is not read."""
    limits = limits or ZipLimits.from_env()
    found = Landing()
    if not landing.exists():
        return found
    crms = ", ".join(sorted(CRMS))
    for top in sorted(landing.iterdir()):
        if top.name.startswith((".", "_")):  # hidden, or handoff's own (_sample.json)
            continue
        if top.is_file():
            found.notices.append(
                Notice(
                    top.name,
                    "a file at the landing's root is not read: put it in "
                    f"<crm>/<batch>/{top.name} (crm one of {crms})",
                )
            )
            continue
        crm = top.name.lower()
        if crm not in CRMS:
            found.notices.append(
                Notice(f"{top.name}/", f"not a CRM handoff reads ({crms}); folder ignored")
            )
            continue
        for entry in sorted(top.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            display = f"{top.name}/{entry.name}"
            if entry.is_dir():
                files, notices, zips = _folder_files(crm, entry, display, work_dir, limits)
                found.notices += notices
                if files:
                    found.batches.append(
                        Batch(crm, entry.name, tuple(files), display, zips=tuple(zips))
                    )
                elif not notices:
                    found.notices.append(
                        Notice(f"{display}/", "an empty batch folder; nothing to load")
                    )
            elif entry.name.lower().endswith(".zip"):
                name = entry.name[: -len(".zip")]
                try:
                    files, notices, copy = _zip_files(crm, entry, display, work_dir, limits)
                except Unreadable as exc:
                    found.batches.append(
                        Batch(
                            crm, name, (), display, problem=str(exc), problem_sha=sha256_of(entry)
                        )
                    )
                    continue
                except NoSpace as exc:
                    found.batches.append(
                        Batch(crm, name, (), display, problem=str(exc), no_space=True)
                    )
                    continue
                found.notices += notices
                if files:
                    found.batches.append(Batch(crm, name, tuple(files), display, zips=(copy,)))
                elif not notices:
                    found.notices.append(Notice(display, "an empty zip; nothing to load"))
            else:
                found.notices.append(
                    Notice(
                        display,
                        "a file outside a batch folder is not read: put it in "
                        f"{top.name}/<batch>/{entry.name} (a folder per delivery, e.g. "
                        f"{top.name}/2025-01-31/{entry.name}) or zip it as {top.name}/<batch>.zip",
                    )
                )
    return found


def cleanup(batch: Batch) -> None:
    """Remove the unpacked copies of a batch's zips (their member hashes stay, so a
    rerun need not unpack them again)."""
    for copy in batch.zips:
        shutil.rmtree(copy.target, ignore_errors=True)


def decompress_bz2(file: ExtractFile, work_dir: Path) -> Path:
    """A ``.csv.bz2`` as a plain CSV under the work folder (DuckDB reads gzip and zstd
    but not bzip2); the caller removes it after loading."""
    out = work_dir / f"bz2-{file.sha256[:16]}.csv"
    work_dir.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    try:
        with bz2.open(file.path, "rb") as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise NoSpace(no_space_message(work_dir)) from exc
        raise Unreadable(f"{file.display}: cannot be read as bzip2 ({exc})") from exc
    except (EOFError, ValueError) as exc:
        tmp.unlink(missing_ok=True)
        raise Unreadable(f"{file.display}: cannot be read as bzip2 ({exc})") from exc
    tmp.rename(out)
    return out
