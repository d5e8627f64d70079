"""The project file: one SQLite database, every edit committed as it happens.

    pf = ProjectFile.open(path)          # never raises for a damaged file: see read_only/reason
    document = Document(pf.load(), pf)   # load() may turn the file read-only too (damage found)
    document.read_only = pf.read_only    # and show pf.reason to the user

There are no unsaved changes: ``write`` (the Document's sink) commits each edit in its own
transaction, in WAL mode with ``synchronous = FULL``, so neither a crash nor a power cut loses
an edit that returned. A file is opened for writing by one Cuesketch at a time (``store.lock``);
any other opens it read-only and says why in ``reason``. A file that is damaged is never written:
it opens read-only with what could be read (``problems`` says what was lost; ``store.salvage``
reads it), and ``save_recovered_copy`` writes that to a new file. Opening a file of an older
version migrates it, after a backup copy beside it (``<name>.v1-backup.cuesketch``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from cuesketch.files import commit_file, remove_quietly, temp_beside
from cuesketch.model.changes import Change
from cuesketch.model.entities import Settings
from cuesketch.model.project import ModelError, Project
from cuesketch.store import tables
from cuesketch.store.codec import FormatError
from cuesketch.store.lock import LockedError, ProjectLock
from cuesketch.store.salvage import (connect_existing, connect_salvaging, is_damage,
                                     looks_like_a_project, quick_check, with_repaired_header)
from cuesketch.store.schema import (APPLICATION_ID, SCHEMA_VERSION, NewerVersionError,
                                    check_version, file_version, migrate)
from cuesketch.store.sqlite_io import (DB_ERRORS, SQLITE_MAGIC, connect, deadline, describe,
                                       memory_db, printable, sidecars, transaction)

SUFFIX = ".cuesketch"
OPEN_DEADLINE_S = 120.0  # no open or load may run longer, whatever the file holds
_GENERIC_DAMAGE = "the file is damaged"  # sqlite_io.describe's words for SQLITE_CORRUPT
_NEWER_THAN_PLAUSIBLE = 100  # a file "version" this far ahead is a damaged header
_NEARLY_FULL = 1 << 20  # bytes free under which a failed write is put down to a full disk


class ProjectFileError(RuntimeError):
    """A project that can't be opened or written, said in plain words."""


class ProjectFile:
    """An open project file. ``write`` is the Document's sink."""

    def __init__(self, path: Path, db: sqlite3.Connection, read_only: bool = False,
                 reason: str | None = None, lock: ProjectLock | None = None) -> None:
        self.path = path
        self.db = db
        self.read_only = read_only
        self.reason = reason  # why it is read-only, for the user; None when writable
        self.damaged = False
        self.problems: list[str] = []  # what could not be read from a damaged file
        self.damage: str | None = None  # what is wrong with a damaged file, in short
        self._lock = lock
        self._armed = False  # WAL set and the file migrated: see _arm
        self._old_version: int | None = None  # the file's version, while it is not migrated
        self.reader = db  # where reads go: an up-to-date copy in memory for an old read-only file
        # SQLite's quick_check verifies the CHECKs (note ranges) only on a writable connection;
        # on a read-only one the loader checks the rows itself (``tables.load``).
        self._rows_checked = False

    @property
    def read_only_reason(self) -> str | None:
        """The same as ``reason`` (the name app.open_document asks for)."""
        return self.reason

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, settings: Settings | None = None) -> ProjectFile:
        """A new, empty project at ``path`` (which must not exist), open for writing."""
        project = Project()
        project.load(settings or Settings(), [])
        cls.write_new(path, project)
        pf = cls.open(path)
        try:
            pf.prepare_to_write()
        except ProjectFileError as e:
            pf.close()
            raise ProjectFileError(f"{path} was made but can't be written: {e}") from None
        return pf

    @classmethod
    def open(cls, path: Path, read_only: bool = False) -> ProjectFile:
        path = Path(path)
        _check_is_project_file(path)
        reason = None
        lock = None
        if not read_only:
            reason = _why_not_writable(path)
            if reason is None:
                try:
                    lock = ProjectLock.acquire(path)
                except LockedError as e:
                    who = e.holder.describe() if e.holder else "by another program"
                    reason = f"{path.name} is open in another Cuesketch {who}"
                except OSError as e:
                    reason = f"{path.name} can't be locked for writing ({describe(e)})"
            read_only = reason is not None
        try:
            return cls._open(path, read_only, reason, lock)
        except BaseException:
            if lock is not None:
                lock.release()
            raise

    @classmethod
    def _open(cls, path: Path, read_only: bool, reason: str | None,
              lock: ProjectLock | None) -> ProjectFile:
        try:
            db = connect_existing(path, read_only)
        except DB_ERRORS as e:
            if not is_damage(e):  # busy, unreadable, a disk error: not the file's fault
                raise ProjectFileError(f"{path} can't be opened: {describe(e)}") from None
            return cls._open_repaired(path, lock, e)
        pf = cls(path, db, read_only, reason, lock)
        try:
            try:
                with deadline(db, OPEN_DEADLINE_S):
                    pf._check_and_prepare()
            except (sqlite3.Error, UnicodeDecodeError, FormatError) as e:
                pf._become_damaged(describe(e) if isinstance(e, DB_ERRORS) else str(e))
        except BaseException:
            pf.close()
            raise
        return pf

    @classmethod
    def _open_repaired(cls, path: Path, lock: ProjectLock | None,
                       error: Exception) -> ProjectFile:
        """SQLite can't read the file at all: try it again in memory with a sane header."""
        if lock is not None:
            lock.release()
        try:
            pf = cls(path, connect_salvaging(path), read_only=True)
            pf._become_damaged(describe(error))
            return pf
        except DB_ERRORS:
            pass
        mem = with_repaired_header(path)
        if mem is None:
            raise ProjectFileError(f"{path} is damaged and can't be read ({describe(error)})")
        pf = cls(path, mem, read_only=True)
        pf._become_damaged("its header is damaged")
        return pf

    def _check_and_prepare(self) -> None:
        db = self.db
        try:
            (app_id,) = db.execute("PRAGMA application_id").fetchone()
            version = file_version(db)
        except DB_ERRORS as e:
            raise ProjectFileError(f"{self.path} can't be read: {describe(e)}") from None
        if app_id != APPLICATION_ID:
            if not looks_like_a_project(db):
                raise ProjectFileError(f"{self.path} is not a Cuesketch project")
            self._become_damaged("its header is damaged")
            return
        if version > SCHEMA_VERSION + _NEWER_THAN_PLAUSIBLE:
            self._become_damaged(f"its header is damaged: it claims file version {version}")
            return
        try:
            check_version(version)
        except NewerVersionError as e:
            raise ProjectFileError(f"{self.path.name}: {e}") from None
        trouble = quick_check(db)
        if trouble:
            self._become_damaged(trouble)
            return
        self._rows_checked = not self.read_only
        if version < SCHEMA_VERSION:
            # Read an up-to-date copy in memory; the file itself is migrated only once it has
            # loaded cleanly (``_arm``), so a file found damaged is left exactly as it was.
            mem = memory_db()
            self.db.backup(mem)
            try:
                migrate(mem)
            except DB_ERRORS as e:
                mem.close()
                self._become_damaged(f"it could not be brought up to date ({describe(e)})")
                return
            self.reader = mem
            self._old_version = version
        problems = tables.schema_problems(self.reader)
        if problems:
            self._become_damaged("; ".join(problems))
            return
        tables.read_settings(self.reader)  # FormatError: damaged (caught by _open)

    def _arm(self) -> None:
        """Ready the file for edits (the first write to it): migrate it if it is old, after a
        backup copy, then WAL with a sync at every commit."""
        if self._armed or self.read_only:
            return
        try:
            if self._old_version is not None:
                if self._old_version > 0:
                    _backup_before_migration(self.db, self.path, self._old_version)
                migrate(self.db)  # one transaction: on failure the file is as it was
                self._old_version = None
                if self.reader is not self.db:
                    self.reader.close()
                    self.reader = self.db
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = FULL")  # an edit is on disk when write returns
        except DB_ERRORS as e:
            raise ProjectFileError(f"{self.path.name} can't be made ready for editing: "
                                   f"{describe(e)}") from None
        self._armed = True

    def prepare_to_write(self) -> None:
        """Raise ProjectFileError if this file can't be written; else ready it for writing."""
        if self.read_only:
            raise ProjectFileError(self.reason or f"{self.path.name} is open read-only")
        self._arm()

    def _become_damaged(self, why: str) -> None:
        """Never write a damaged file: reopen it read-only and let go of the lock."""
        if not self.read_only:
            self.db.close()
            self.read_only = True
            try:
                self.db = self.reader = connect_salvaging(self.path)
            except DB_ERRORS as e:
                raise ProjectFileError(f"{self.path} is damaged ({why}) and can't be read: "
                                       f"{describe(e)}") from None
        if self.reader is not self.db:
            self.reader.close()
            self.reader = self.db
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self.damaged = True
        detail = printable(why)
        if detail.startswith(_GENERIC_DAMAGE):  # "x is damaged (the file is damaged)" says it twice
            detail = detail[len(_GENERIC_DAMAGE):].strip(" ()")
        self.damage = detail or None
        self.reason = (f"{self.path.name} is damaged" + (f" ({detail})" if detail else "")
                       + ". It is open read-only with what could be read; save a recovered copy "
                       "to go on working.")

    def load(self) -> Project:
        """The project; for a damaged file, what could be read (then see ``problems``)."""
        if not self.damaged:
            try:
                with deadline(self.reader, OPEN_DEADLINE_S):
                    project = tables.load(self.reader, check_rows=not self._rows_checked)
            except (sqlite3.Error, UnicodeDecodeError, FormatError, ModelError) as e:
                self._become_damaged(describe(e) if isinstance(e, DB_ERRORS) else str(e))
            else:
                try:
                    self._arm()
                except ProjectFileError as e:  # readable, not writable: show it anyway
                    self.read_only, self.reason = True, f"{e}; it is open read-only"
                    if self._lock is not None:
                        self._lock.release()
                        self._lock = None
                return project
        try:
            with deadline(self.db, OPEN_DEADLINE_S):
                project, self.problems = tables.salvage(self.db)
        except DB_ERRORS as e:
            raise ProjectFileError(f"{self.path} is damaged and can't be read: "
                                   f"{describe(e)}") from None
        return project

    # -- writing -----------------------------------------------------------------------------
    def write(self, changes: Sequence[Change], settings: Settings) -> None:
        """Commit one edit (the Document's sink); on failure nothing of it is kept."""
        self._check_writable()
        try:
            with transaction(self.db):
                tables.write_changes(self.db, changes)
        except (sqlite3.Error, UnicodeDecodeError, OverflowError, UnicodeEncodeError) as e:
            raise ProjectFileError(f"the change could not be saved to {self.path.name}: "
                                   f"{self._why_not_written(e)}. Nothing of it was kept.") from None

    def write_all(self, project: Project) -> None:
        """Replace everything in the file by ``project`` (import, recovery)."""
        self._check_writable()
        try:
            with transaction(self.db):
                tables.write_all(self.db, project)
        except (sqlite3.Error, UnicodeDecodeError, OverflowError, UnicodeEncodeError) as e:
            raise ProjectFileError(f"{self.path.name} could not be written: "
                                   f"{self._why_not_written(e)}. It is as it was.") from None

    def _why_not_written(self, e: Exception) -> str:
        # SQLite often reports a full disk as an I/O error (writing the WAL): look.
        try:
            if shutil.disk_usage(self.path.parent).free < _NEARLY_FULL:
                return "the disk is full"
        except OSError:
            pass
        return describe(e)

    def _check_writable(self) -> None:
        self.prepare_to_write()

    # -- copies ------------------------------------------------------------------------------
    @classmethod
    def write_new(cls, path: Path, project: Project, *, overwrite: bool = False) -> None:
        """Write ``project`` as a new file, whole or not at all (temp file, then rename)."""
        path = Path(path)
        lock = None
        if path.exists():
            if not overwrite:
                raise ProjectFileError(f"{path} exists already")
            lock = _lock_or_fail(path)  # never replace a project open in another Cuesketch
        tmp = temp_beside(path)
        remove_quietly(tmp, *sidecars(tmp))  # left by a crash
        try:
            db = connect(tmp, read_only=False, create=True)
            try:
                migrate(db)
                with transaction(db):
                    tables.write_all(db, project)
            finally:
                db.close()
            commit_file(tmp, path)
        except (sqlite3.Error, UnicodeDecodeError, OSError, OverflowError, UnicodeEncodeError) as e:
            remove_quietly(tmp)
            raise ProjectFileError(f"{path} could not be written: {describe(e)}") from None
        finally:
            if lock is not None:
                lock.release()

    def save_copy(self, dest: Path, *, with_snapshots: bool = True,
                  overwrite: bool = False) -> None:
        """Save a Copy: this project as it is now, as another file; this one stays open."""
        dest = Path(dest)
        lock = self._lock_destination(dest, overwrite)
        try:
            self._copy_to(dest, with_snapshots)
        finally:
            lock.release()

    def save_as(self, dest: Path, *, overwrite: bool = False) -> None:
        """Save As: copy to ``dest`` and go on working there (this object then is ``dest``)."""
        dest = Path(dest)
        lock = self._lock_destination(dest, overwrite)
        try:
            self._copy_to(dest, with_snapshots=True)
            db = connect(dest, read_only=False)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
        except DB_ERRORS as e:
            lock.release()
            raise ProjectFileError(f"{dest} can't be opened after saving: {describe(e)}") from None
        except BaseException:
            lock.release()
            raise
        self.close()
        self.path, self.db, self.reader, self._lock = dest, db, db, lock
        self.read_only, self.reason, self._armed, self._old_version = False, None, True, None

    def save_recovered_copy(self, dest: Path, project: Project) -> None:
        """Write what could be read of a damaged project (``project``, from ``load``) anew."""
        self.write_new(dest, project)

    def _lock_destination(self, dest: Path, overwrite: bool) -> ProjectLock:
        if dest.resolve() == self.path.resolve():
            raise ProjectFileError(f"{dest.name} is this project; choose another name")
        if self.damaged:
            raise ProjectFileError(f"{self.path.name} is damaged: save a recovered copy instead")
        if dest.exists() and not overwrite:
            raise ProjectFileError(f"{dest} exists already")
        return _lock_or_fail(dest)

    def _copy_to(self, dest: Path, with_snapshots: bool) -> None:
        tmp = temp_beside(dest)
        remove_quietly(tmp, *sidecars(tmp))
        try:
            out = connect(tmp, read_only=False, create=True)
            try:
                self.reader.backup(out)  # SQLite's online backup: a consistent copy
                out.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                if not with_snapshots:
                    out.execute("DELETE FROM snapshots")
                    out.execute("VACUUM")
            finally:
                out.close()
            commit_file(tmp, dest)
        except (sqlite3.Error, UnicodeDecodeError, OSError) as e:
            remove_quietly(tmp)
            raise ProjectFileError(f"{dest} could not be written: {describe(e)}") from None

    # -- closing -----------------------------------------------------------------------------
    def close(self) -> None:
        if self.reader is not self.db:
            self.reader.close()
        if self._armed and not self.read_only:
            try:
                # Back to a single self-contained file at rest (it checkpoints the WAL); fails
                # harmlessly if another instance is reading it.
                self.db.execute("PRAGMA busy_timeout = 0")
                self.db.execute("PRAGMA journal_mode = DELETE")
            except DB_ERRORS:
                pass
        self.db.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ProjectFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


# -- helpers -------------------------------------------------------------------------------------
def _check_is_project_file(path: Path) -> None:
    """Plain words for what is not a project at all, before SQLite sees it."""
    try:
        if not path.exists():
            raise ProjectFileError(f"there is no project at {path}")
        if path.is_dir():
            raise ProjectFileError(f"{path} is a folder, not a Cuesketch project")
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as e:
        raise ProjectFileError(f"{path} can't be read: {describe(e)}") from None
    if size == 0:
        raise ProjectFileError(f"{path} is empty (0 bytes): it is not a Cuesketch project, or "
                               f"it was cut short and nothing of it is left")
    # A few wrong bytes in SQLite's 16-byte mark are damage (see salvage.with_repaired_header).
    if sum(a != b for a, b in zip(head[:16].ljust(16, b"?"), SQLITE_MAGIC)) > 3:
        raise ProjectFileError(f"{path} is not a Cuesketch project")
    if len(head) < 100:
        raise ProjectFileError(f"{path} is cut short ({size} bytes) and can't be read")


def _lock_or_fail(path: Path) -> ProjectLock:
    try:
        return ProjectLock.acquire(path)
    except LockedError as e:
        who = e.holder.describe() if e.holder else "by another program"
        raise ProjectFileError(f"{path.name} is open in another Cuesketch {who}") from None
    except OSError as e:
        raise ProjectFileError(f"can't write to {path.parent}: {describe(e)}") from None


def _why_not_writable(path: Path) -> str | None:
    if not _writable(path.parent):
        return f"the folder {path.parent} is read-only"
    if not _writable(path):
        return f"{path.name} is a read-only file"
    return None


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _backup_before_migration(db: sqlite3.Connection, path: Path, version: int) -> None:
    """Keep the file as it was before it is brought up to date (an older Cuesketch reads it)."""
    dest = path.with_name(f"{path.stem}.v{version}-backup{path.suffix or SUFFIX}")
    if dest.exists():
        return
    tmp = temp_beside(dest)
    try:
        out = sqlite3.connect(tmp)
        try:
            db.backup(out)
        finally:
            out.close()
        commit_file(tmp, dest)
    except (sqlite3.Error, UnicodeDecodeError, OSError) as e:
        remove_quietly(tmp)
        raise ProjectFileError(f"{path.name} is from an older Cuesketch and must be brought up "
                               f"to date, but the backup copy could not be written: "
                               f"{describe(e)}") from None
