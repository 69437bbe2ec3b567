"""The input contract (README, "Pointing it at your own HubSpot and Salesforce exports") as data: objects, canonical columns, types and aliases.

The contract lives in three files beside this module so that a new portal language or
connector layout is a CSV edit, not code:

- ``objects.yml``: per CRM and object, the canonical columns with their types, the
  columns a file must carry, and the key / last-modified / deletion columns.
- ``header_aliases.csv``: raw header (label, connector or API spelling) → canonical column.
- ``object_aliases.csv``: file-name stem → object.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

HERE = Path(__file__).parent
CRMS = ("hubspot", "salesforce")
TYPES = ("id", "text", "timestamp", "date", "boolean", "integer", "number")
# Columns ingest stamps on every raw row.
LINEAGE_COLUMNS = ("_batch_id", "_source_file", "_source_line", "_loaded_at")

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")


def snake_case(text: str) -> str:
    """Normalise a header or file stem: ``CreatedDate`` → ``created_date``,
    ``Became a Lead Date`` → ``became_a_lead_date``, ``MQL_Date__c`` → ``mql_date_c``.

    Already snake_case names (``hs_object_id``) are returned unchanged.
    """
    text = text.strip().lstrip("\ufeff")
    text = _CAMEL_1.sub(r"\1_\2", text)
    text = _CAMEL_2.sub(r"\1_\2", text)
    text = _NON_WORD.sub("_", text).strip("_").lower()
    return re.sub(r"_+", "_", text)


@dataclass(frozen=True)
class ObjectSpec:
    crm: str
    name: str
    columns: dict[str, str]
    required: tuple[str, ...]
    key: tuple[str, ...]
    updated: str | None
    deleted: str | None
    aliases: dict[str, str] = field(default_factory=dict)
    # The table Fivetran's connector writes this object to (``--source fivetran``).
    connector_table: str = ""

    @property
    def table(self) -> str:
        """Raw table name inside schema ``raw``: ``<crm>__<object>``."""
        return f"{self.crm}__{self.name}"

    def canonical(self, header: str) -> str:
        """Map one raw header to its canonical column name (unknown columns keep
        their snake_case name, so custom fields survive into raw)."""
        norm = snake_case(header)
        if norm in self.aliases:
            return self.aliases[norm]
        if norm in self.columns:
            return norm
        # Connector layouts (Fivetran, Airbyte) prefix HubSpot properties.
        if self.crm == "hubspot" and norm.startswith("property_"):
            stripped = norm[len("property_") :]
            if stripped in self.aliases:
                return self.aliases[stripped]
            return stripped
        return norm


@cache
def objects() -> dict[tuple[str, str], ObjectSpec]:
    """Every object of the contract, keyed by ``(crm, object)``."""
    spec = yaml.safe_load((HERE / "objects.yml").read_text())
    aliases: dict[tuple[str, str], dict[str, str]] = {}
    with open(HERE / "header_aliases.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            aliases.setdefault((row["crm"], row["object"]), {})[snake_case(row["alias"])] = row[
                "column"
            ]
    out: dict[tuple[str, str], ObjectSpec] = {}
    for crm, objs in spec.items():
        for name, obj in objs.items():
            for col, typ in obj["columns"].items():
                if typ not in TYPES:
                    raise ValueError(f"objects.yml: {crm}.{name}.{col} has unknown type {typ!r}")
            key = obj["key"]
            merged = dict(aliases.get((crm, "*"), {}))
            merged.update(aliases.get((crm, name), {}))
            out[(crm, name)] = ObjectSpec(
                crm=crm,
                name=name,
                columns=dict(obj["columns"]),
                required=tuple(obj["required"]),
                key=tuple(key) if isinstance(key, list) else (key,),
                updated=obj.get("updated"),
                deleted=obj.get("deleted"),
                aliases=merged,
                connector_table=obj.get("connector_table", name),
            )
    return out


@cache
def _object_aliases() -> dict[tuple[str, str], str]:
    with open(HERE / "object_aliases.csv", newline="") as fh:
        return {(r["crm"], r["alias"]): r["object"] for r in csv.DictReader(fh)}


_EXPORT_NAME = re.compile(
    r"^hubspot_crm_exports_(?:all_)?(?P<obj>[a-z_]+?)(?:_\d{4}_\d{2}_\d{2}.*)?$"
)


_FILE_SUFFIXES = (
    ".gz",
    ".bz2",
    ".zip",
    ".csv",
    ".tsv",
    ".txt",
    ".parquet",
    ".jsonl",
    ".json",
    ".ndjson",
    ".xlsx",
    ".xls",
)


def object_for_file(crm: str, filename: str) -> str | None:
    """The object a file holds, from its name: ``Lead.csv``, ``lead_history.csv.gz``,
    ``sf_lead_data.csv``, ``hubspot-crm-exports-all-contacts-2023-02-21.csv`` …;
    ``None`` when the name matches no object of that CRM."""
    stem = Path(filename).name
    stripped = True
    while stripped:  # Lead.csv.gz, Lead.csv.bz2, Lead.xlsx (named for an object, unread)
        stripped = False
        for suffix in _FILE_SUFFIXES:
            if stem.lower().endswith(suffix) and len(stem) > len(suffix):
                stem, stripped = stem[: -len(suffix)], True
    norm = snake_case(stem)
    match = _EXPORT_NAME.match(norm)
    if match:
        norm = match.group("obj")
    candidates = [norm]
    if norm.endswith("_data"):
        candidates.append(norm[: -len("_data")])
    candidates += [c[len("sf_") :] for c in list(candidates) if c.startswith("sf_")]
    known = objects()
    for cand in candidates:
        if (crm, cand) in known:
            return cand
        alias = _object_aliases().get((crm, cand))
        if alias:
            return alias
    return None


def objects_for(crm: str) -> list[ObjectSpec]:
    return [spec for (c, _), spec in objects().items() if c == crm]
