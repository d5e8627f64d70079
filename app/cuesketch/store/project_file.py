"""The project file: one SQLite database, every edit committed as it happens.

    pf = ProjectFile.open(path)          # never raises for a damaged file: see read_only/reason
    document = Document(pf.load(), pf)   # load() may turn the file read-only too (damage found)
    document.read_only = pf.read_only    # and show pf.reason to the user

There are no unsaved changes: ``write`` (the Document's sink) commits each edit in its own
transaction, in WAL mode with ``synchronous = FULL``, so neither a crash nor a power cut loses
an edit that returned. A file is opened for writing by one Cuesketch at a time (``store.lock``);
any other opens it read-only and says why in ``reason``. A file that is damaged is never written:
it opens read-only with what could be read (``problems`` says what was lost), and
``save_recovered_copy`` writes that to a new file. Opening a file of an older version migrates
it, after a backup copy beside it (``<name>.v1-backup.cuesketch``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from cuesketch.model.changes import Change
from cuesketch.model.entities import Settings
from cuesketch.model.project import ModelError, Project
from cuesketch.store import tables
from cuesketch.store.codec import FormatError
from cuesketch.store.lock import LockedError, ProjectLock
from cuesketch.store.schema import (APPLICATION_ID, SCHEMA_VERSION, NewerVersionError,
                                    check_version, file_version, migrate)
from cuesketch.store.sqlite_io import (SQLITE_MAGIC, commit_file, connect, deadline, describe,
                                       memory_db, remove_quietly, sidecars, temp_beside,
                                       transaction)

SUFFIX = ".cuesketch"
OPEN_DEADLINE_S = 120.0  # no open or load may run longer, whatever the file holds


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
        self._lock = lock
        self.reader = db  # where reads go: an up-to-date copy in memory for an old read-only file

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path, settings: Settings | None = None) -> ProjectFile:
        """A new, empty project at ``path`` (which must not exist), open for writing."""
        project = Project()
        project.load(settings or Settings(), [])
        cls.write_new(path, project)
        pf = cls.open(path)
        if pf.read_only:
            pf.close()
            raise ProjectFileError(f"{path} was made but can't be written: {pf.reason}")
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
            db = _connect_existing(path, read_only)
        except sqlite3.Error as e:
            raise ProjectFileError(f"{path} can't be opened: {describe(e)}") from None
        pf = cls(path, db, read_only, reason, lock)
        try:
            try:
                with deadline(db, OPEN_DEADLINE_S):
                    pf._check_and_prepare()
            except (sqlite3.Error, FormatError) as e:
                pf._become_damaged(describe(e) if isinstance(e, sqlite3.Error) else str(e))
        except BaseException:
            pf.close()
            raise
        return pf

    def _check_and_prepare(self) -> None:
        db = self.db
        try:
            (app_id,) = db.execute("PRAGMA application_id").fetchone()
            version = file_version(db)
        except sqlite3.DatabaseError as e:
            raise ProjectFileError(f"{self.path} can't be read: {describe(e)}") from None
        if app_id != APPLICATION_ID:
            if not _looks_like_a_project(db):
                raise ProjectFileError(f"{self.path} is not a Cuesketch project")
            self._become_damaged("its header is damaged")
            return
        try:
            check_version(version)
        except NewerVersionError as e:
            raise ProjectFileError(f"{self.path.name}: {e}") from None
        trouble = _quick_check(db)
        if trouble:
            self._become_damaged(trouble)
            return
        if version < SCHEMA_VERSION:
            self._migrate(version)
            if self.damaged:
                return
        problems = tables.schema_problems(self.reader)
        if problems:
            self._become_damaged("; ".join(problems))
            return
        tables.read_settings(self.reader)  # FormatError: damaged (caught by _open)
        if not self.read_only:
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")  # each edit is on disk when write returns

    def _migrate(self, version: int) -> None:
        if self.read_only:  # read an up-to-date copy in memory; the file stays as it is
            mem = memory_db()
            self.db.backup(mem)
            try:
                migrate(mem)
            except sqlite3.Error as e:
                mem.close()
                self._become_damaged(f"it could not be brought up to date ({describe(e)})")
                return
            self.reader = mem
            return
        if version > 0:
            _backup_before_migration(self.db, self.path, version)
        try:
            migrate(self.db)
        except sqlite3.Error as e:  # rolled back: the file is as it was
            self._become_damaged(f"it could not be brought up to date ({describe(e)})")

    def _become_damaged(self, why: str) -> None:
        """Never write a damaged file: reopen it read-only and let go of the lock."""
        if not self.read_only:
            self.db.close()
            self.read_only = True
            try:
                self.db = self.reader = _connect_existing(self.path, read_only=True)
            except sqlite3.Error as e:
                raise ProjectFileError(f"{self.path} is damaged ({why}) and can't be read: "
                                       f"{describe(e)}") from None
        if self.reader is not self.db:
            self.reader.close()
            self.reader = self.db
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self.damaged = True
        self.reason = (f"{self.path.name} is damaged ({why}). It is open read-only with what "
                       f"could be read; save a recovered copy to go on working.")

    def load(self) -> Project:
        """The project; for a damaged file, what could be read (then see ``problems``)."""
        if not self.damaged:
            try:
                with deadline(self.reader, OPEN_DEADLINE_S):
                    return tables.load(self.reader)
            except (sqlite3.Error, FormatError, ModelError) as e:
                self._become_damaged(describe(e) if isinstance(e, sqlite3.Error) else str(e))
        try:
            with deadline(self.db, OPEN_DEADLINE_S):
                project, self.problems = tables.salvage(self.db)
        except sqlite3.Error as e:
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
        except (sqlite3.Error, OverflowError, UnicodeEncodeError) as e:
            raise ProjectFileError(f"the change could not be saved to {self.path.name}: "
                                   f"{describe(e)}. Nothing of it was kept.") from None

    def write_all(self, project: Project) -> None:
        """Replace everything in the file by ``project`` (import, recovery)."""
        self._check_writable()
        try:
            with transaction(self.db):
                tables.write_all(self.db, project)
        except (sqlite3.Error, OverflowError, UnicodeEncodeError) as e:
            raise ProjectFileError(f"{self.path.name} could not be written: {describe(e)}. "
                                   f"It is as it was.") from None

    def _check_writable(self) -> None:
        if self.read_only:
            raise ProjectFileError(self.reason or f"{self.path.name} is open read-only")

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
        except (sqlite3.Error, OSError, OverflowError, UnicodeEncodeError) as e:
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
        except sqlite3.Error as e:
            lock.release()
            raise ProjectFileError(f"{dest} can't be opened after saving: {describe(e)}") from None
        except BaseException:
            lock.release()
            raise
        self.close()
        self.path, self.db, self.reader, self._lock = dest, db, db, lock
        self.read_only, self.reason = False, None

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
        except (sqlite3.Error, OSError) as e:
            remove_quietly(tmp)
            raise ProjectFileError(f"{dest} could not be written: {describe(e)}") from None

    # -- closing -----------------------------------------------------------------------------
    def close(self) -> None:
        if self.reader is not self.db:
            self.reader.close()
        if not self.read_only:
            try:
                # Back to a single self-contained file at rest (it checkpoints the WAL); fails
                # harmlessly if another instance is reading it.
                self.db.execute("PRAGMA busy_timeout = 0")
                self.db.execute("PRAGMA journal_mode = DELETE")
            except sqlite3.Error:
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
    if not head.startswith(SQLITE_MAGIC):
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


def _connect_existing(path: Path, read_only: bool) -> sqlite3.Connection:
    db = connect(path, read_only=read_only)
    if read_only:
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL file in a read-only folder, with no -shm beside it: SQLite can't set up
            # shared memory there. Nothing can be writing it, so read it as immutable.
            db.close()
            db = connect(path, read_only=True, immutable=True)
    return db


def _quick_check(db: sqlite3.Connection) -> str | None:
    """None if SQLite finds the file sound (pages, types, CHECKs), else the first trouble."""
    try:
        rows = db.execute("PRAGMA quick_check(3)").fetchall()
    except sqlite3.DatabaseError as e:
        return describe(e)
    if rows == [("ok",)]:
        return None
    first = str(rows[0][0]).replace("*** in database main ***", "").strip() if rows else ""
    return first.splitlines()[0][:160] if first else "the check failed"


def _looks_like_a_project(db: sqlite3.Connection) -> bool:
    """A file whose header lost our mark but whose tables are ours."""
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return False
    return {"meta", "notes", "tracks"} <= names


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
    except (sqlite3.Error, OSError) as e:
        remove_quietly(tmp)
        raise ProjectFileError(f"{path.name} is from an older Cuesketch and must be brought up "
                               f"to date, but the backup copy could not be written: "
                               f"{describe(e)}") from None
