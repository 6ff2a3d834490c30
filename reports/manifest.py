"""The list of a set of documents that readers may download, written beside the files.

A server links and serves each file by the id this list gives it, never by a path taken from a URL;
the county an entry belongs to is what a reader limited to some counties is checked against.
Nothing here knows what the documents say: any set of files (a survey's results, an evaluation's)
can carry one.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

FILE_NAME = "manifest.json"


@dataclass(frozen=True)
class Entry:
    id: str                  # from the file's path: the same in every set that has the file, safe in a URL
    path: str                # relative to the set's folder, "/" between parts
    kind: str                # what it is, e.g. report, chart, workbook, table, data
    format: str              # the file's suffix: pdf, docx, png, zip, xlsx, csv, json, sav, txt
    county: str | None       # the county it belongs to; None: city-wide
    title: str               # how it is shown to people
    shared: bool = False     # city-wide, yet part of each county's own report: every reader may have it


def entry_id(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()[:16]


@dataclass
class Manifest:
    entries: list[Entry] = field(default_factory=list)

    def add(self, path: str, kind: str, title: str, county: str | None = None, shared: bool = False) -> Entry:
        entry = Entry(entry_id(path), path, kind, PurePosixPath(path).suffix.lstrip("."), county, title, shared)
        if self.get(entry.id) is not None:
            raise ValueError(f"two files at {path}")
        self.entries.append(entry)
        return entry

    def get(self, file_id: str) -> Entry | None:
        return next((e for e in self.entries if e.id == file_id), None)

    def find(self, kind: str, county: str | None = None, format: str | None = None) -> Entry | None:
        """The first entry of that kind, county and (if given) format."""
        return next((e for e in self.entries if e.kind == kind and e.county == county
                     and (format is None or e.format == format)), None)

    def readable(self, counties: Collection[str] | None) -> Manifest:
        """The entries a reader may have: every one (counties None), or those of the reader's counties
        and the shared ones."""
        return Manifest([e for e in self.entries if allowed(e, counties)])

    def to_json(self) -> bytes:
        return json.dumps([asdict(e) for e in self.entries], ensure_ascii=False, indent=1).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        return cls([Entry(**row) for row in json.loads(data)])


def allowed(entry: Entry, counties: Collection[str] | None) -> bool:
    """May a reader limited to `counties` (None: not limited) have the entry's file?"""
    return counties is None or entry.shared or entry.county in counties
