"""Result runs of any kind: a set of files computed on the job queue for a subject (a survey campaign;
later an evaluation cycle), kept by a fingerprint of its inputs and the software's version, and reused
until one changes.

A run's folder holds its files and the manifest that lists them (the only files served, by id). One run
per subject at a time; a finished run removes the subject's older ones with their folders.
"""
from __future__ import annotations

import shutil
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reports import manifest
from survey_app.models import ResultRun, utcnow

STALE = timedelta(minutes=30)       # a run still under way after this died with its worker
RETRY = timedelta(minutes=1)        # a failed run is tried again on a page view after this
ACTIVE = ("queued", "running", "figures")     # under way: figures first, then the documents
ROOTS = {"survey": "results"}       # kind -> its folder under the data directory


@dataclass(frozen=True)
class Subject:
    kind: str        # a key of ROOTS
    key: str         # e.g. the campaign's slug

    def folder(self, data_dir: Path) -> Path:
        """Where the subject's runs keep their files, a folder per fingerprint."""
        return Path(data_dir) / ROOTS[self.kind] / self.key


def directory(data_dir: Path, subject: Subject, fingerprint: str) -> Path:
    return subject.folder(data_dir) / fingerprint


def _of(subject: Subject):
    return (ResultRun.kind == subject.kind) & (ResultRun.subject == subject.key)


def run_for(session: Session, subject: Subject, fingerprint: str) -> ResultRun | None:
    return session.scalar(select(ResultRun).where(_of(subject), ResultRun.fingerprint == fingerprint))


def current(session: Session, subject: Subject, fingerprint: str) -> ResultRun | None:
    """The run for these inputs, None when there is none or it died (stale) or failed a while ago
    (both removed, so that it can be claimed again)."""
    run = run_for(session, subject, fingerprint)
    if run is not None and ((run.status in ACTIVE and utcnow() - run.started_at > STALE)
                            or (run.status == "failed" and utcnow() - run.finished_at > RETRY)):
        session.delete(run)
        session.flush()
        return None
    return run


def latest(session: Session, subject: Subject, statuses: tuple[str, ...]) -> ResultRun | None:
    return session.scalar(select(ResultRun).where(_of(subject), ResultRun.status.in_(statuses))
                          .order_by(ResultRun.id.desc()).limit(1))


def latest_done(session: Session, subject: Subject) -> ResultRun | None:
    return latest(session, subject, ("done",))


def latest_shown(session: Session, subject: Subject) -> ResultRun | None:
    """The newest run whose figures are ready (its documents may still be on their way)."""
    return latest(session, subject, ("figures", "done"))


def under_way(session: Session, subject: Subject) -> ResultRun | None:
    return latest(session, subject, ACTIVE)


def claim(sessions, subject: Subject, fingerprint: str) -> bool:
    """Record a queued run, unless one of the subject is under way (one at a time: the first page view
    after it ends asks for the next) or another request was first. True: queue it."""
    try:
        with sessions.begin() as session:
            busy = session.scalar(select(ResultRun.id).where(_of(subject), ResultRun.status.in_(ACTIVE),
                                                             ResultRun.started_at > utcnow() - STALE))
            if busy is not None:
                return False
            session.add(ResultRun(kind=subject.kind, subject=subject.key, fingerprint=fingerprint,
                                  status="queued", progress="排队中"))
    except IntegrityError:
        return False
    return True


def fail(session: Session, subject: Subject, fingerprint: str, message: str) -> None:
    run = run_for(session, subject, fingerprint)
    if run is not None:
        run.status, run.progress, run.finished_at = "failed", message[:200], utcnow()


def finish(session: Session, data_dir: Path, run: ResultRun) -> None:
    """The run is done; the subject's older finished runs go, with their folders."""
    run.status, run.progress, run.finished_at = "done", "已完成", utcnow()
    subject = Subject(run.kind, run.subject)
    for old in session.scalars(select(ResultRun).where(_of(subject), ResultRun.id < run.id,
                                                       ResultRun.status.not_in(ACTIVE))):
        shutil.rmtree(directory(data_dir, subject, old.fingerprint), ignore_errors=True)
        session.delete(old)


def load_manifest(path: Path) -> manifest.Manifest:
    """The files of a run that may be downloaded (none for a run from before manifests)."""
    try:
        return manifest.Manifest.from_json((path / manifest.FILE_NAME).read_bytes())
    except FileNotFoundError:
        return manifest.Manifest()


def _runs_with_files(session: Session, subject: Subject) -> list[ResultRun]:
    return list(dict.fromkeys(run for run in (latest_shown(session, subject), latest_done(session, subject))
                              if run is not None))


def downloads(session: Session, data_dir: Path, subject: Subject) -> manifest.Manifest:
    """What may be downloaded: the files of the run shown (its charts while its documents are on their
    way) and those of the newest finished run that the shown one does not have yet."""
    listed = manifest.Manifest()
    for run in _runs_with_files(session, subject):
        for entry in load_manifest(directory(data_dir, subject, run.fingerprint)).entries:
            if listed.get(entry.id) is None:
                listed.entries.append(entry)
    return listed


def file_of(session: Session, data_dir: Path, subject: Subject, file_id: str,
            counties: Collection[str] | None) -> tuple[Path, manifest.Entry] | None:
    """The file listed under `file_id` in the run that `downloads` takes it from, with its entry, if a
    reader limited to `counties` (None: all) may have it."""
    for run in _runs_with_files(session, subject):
        folder = directory(data_dir, subject, run.fingerprint)
        entry = load_manifest(folder).get(file_id)
        if entry is not None:
            if not manifest.allowed(entry, counties) or not (folder / entry.path).is_file():
                return None
            return folder / entry.path, entry
    return None
