"""Find extract batches in the landing folder (DESIGN §3):
``landing/<crm>/<batch>/<object>.csv|.csv.gz|.parquet|.jsonl`` or ``landing/<crm>/<batch>.zip``.
A file lying directly in ``landing/<crm>/`` is a batch of its own."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from handoff.contract import CRMS, object_for_file

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonl.gz": "jsonl",
}


def file_format(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix]
    return None


@dataclass(frozen=True)
class ExtractFile:
    crm: str
    object: str | None  # None: the name matches no contract object
    path: Path  # where to read it (inside an unpacked zip for zip batches)
    display: str  # path as the user knows it, relative to the landing folder
    format: str

    @property
    def sha256(self) -> str:
        return sha256_of(self.path)


@dataclass(frozen=True)
class Batch:
    crm: str
    name: str
    files: tuple[ExtractFile, ...]

    @property
    def batch_id(self) -> str:
        return f"{self.crm}/{self.name}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _unzip(zip_path: Path, work_dir: Path) -> Path:
    """Unpack a zip batch once into ``work_dir`` (keyed by the zip's hash, so a
    re-delivered zip with new content is unpacked afresh)."""
    target = work_dir / f"{zip_path.stem}-{sha256_of(zip_path)[:16]}"
    if not target.exists():
        tmp = target.with_name(target.name + ".partial")
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(tmp)
        tmp.rename(target)
    return target


def _files_in(crm: str, folder: Path, display_root: str) -> list[ExtractFile]:
    out = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        fmt = file_format(path)
        if fmt is None or path.name.startswith((".", "_")):
            continue
        rel = path.relative_to(folder).as_posix()
        out.append(
            ExtractFile(
                crm=crm,
                object=object_for_file(crm, path.name),
                path=path,
                display=f"{display_root}/{rel}",
                format=fmt,
            )
        )
    return out


def discover(landing: Path, work_dir: Path) -> list[Batch]:
    """Every batch under ``landing``, in load order: CRM, then batch name (dated
    names sort chronologically). Zips are unpacked under ``work_dir``."""
    batches: list[Batch] = []
    if not landing.exists():
        return batches
    for crm_dir in sorted(p for p in landing.iterdir() if p.is_dir()):
        crm = crm_dir.name.lower()
        if crm not in CRMS:
            continue
        for entry in sorted(crm_dir.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():
                files = _files_in(crm, entry, f"{crm_dir.name}/{entry.name}")
                name = entry.name
            elif entry.suffix.lower() == ".zip":
                files = _files_in(crm, _unzip(entry, work_dir), f"{crm_dir.name}/{entry.name}")
                name = entry.stem
            elif file_format(entry):
                files = [
                    ExtractFile(
                        crm=crm,
                        object=object_for_file(crm, entry.name),
                        path=entry,
                        display=f"{crm_dir.name}/{entry.name}",
                        format=file_format(entry) or "csv",
                    )
                ]
                name = entry.name
            else:
                continue
            if files:
                batches.append(Batch(crm=crm, name=name, files=tuple(files)))
    return batches
