"""Writing results safely.

* :func:`atomic_write`: one file, written under a temporary name beside it and renamed into
  place, so an interrupted command never leaves a half-written file behind.
* :func:`output_set`: the files of one command (``pacts run``: rounds.csv, countries.csv and the
  PNGs) are written into a temporary folder inside ``--out`` and moved into place together at
  the end, so a folder never shows the new CSVs beside the previous run's figure. The moves
  take microseconds and are shielded from Ctrl+C and SIGTERM; if even they are cut short
  (``kill -9``), the temporary folder keeps a list of its files and the next command writing
  into that folder finishes the moves.
* :func:`prepare_folder`: an output folder checked *before* the work starts (it is created
  if missing; a file in the way, a folder that cannot be written or a full disk is one clear
  error naming the option).

Temporaries are locked (``flock``) while their writer lives, so a later command removes those
of a killed one and leaves a concurrent one's alone. Files get the usual permissions
(0644 under umask 022), like any file the user creates.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no locks; temporaries are judged by age alone
    fcntl = None  # type: ignore[assignment]

SET_PREFIX = ".pacts-new-"
"""Name prefix of an output set's temporary folder."""
COMPLETE = ".complete"
"""In a set's temporary folder: the list of its files, written once all of them are."""
STALE_AGE = 2.0
"""Seconds: an unlocked temporary younger than this may belong to a writer just starting."""
MIN_FREE = 1 << 20
"""Bytes: an output folder with less free space than this is refused before the work starts."""
WRITE_ERRORS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG, errno.EIO}
)


# ------------------------------------------------------------------ locks and staleness
def _lock(fd: int) -> None:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)


def _abandoned(path: Path) -> bool:
    """Whether a temporary file (or a set folder's lock file) has no living writer."""
    try:
        if time.time() - path.stat().st_mtime < STALE_AGE:
            return False
        if fcntl is None:
            return time.time() - path.stat().st_mtime > 3600
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # its writer holds the lock: alive
    finally:
        os.close(fd)
    return True


def _temporaries(folder: Path, name: str) -> list[Path]:
    """Temporary files of ``name`` in ``folder`` (``.NAME.<token><suffix>``; also those of
    earlier versions, which used the same pattern)."""
    prefix, suffix = f".{name}.", Path(name).suffix
    try:
        entries = os.listdir(folder)
    except OSError:
        return []
    return [
        folder / e
        for e in entries
        if e.startswith(prefix) and e.endswith(suffix) and len(e) > len(prefix) + len(suffix)
    ]


def remove_stale(folder: str | Path, name: str) -> int:
    """Remove the temporaries of ``name`` left in ``folder`` by killed writers; their number."""
    removed = 0
    for tmp in _temporaries(Path(folder), name):
        if tmp.is_file() and _abandoned(tmp):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed


# ------------------------------------------------------------------ one file
def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``.

    The temporary (``.NAME.<token><suffix>`` beside ``path``, same suffix so writers that go
    by it still work) is created with the usual permissions (0666 less the umask) and locked
    while it is written; temporaries of ``path`` abandoned by killed writers are removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(path.parent, path.name)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{path.suffix}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        _lock(fd)
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        os.close(fd)
    return path


# ------------------------------------------------------------------ folders
def _blocking_file(folder: Path) -> Path | None:
    """The first existing ancestor of ``folder`` (or itself) that is not a folder."""
    for p in [folder, *folder.parents]:
        if p.exists() or p.is_symlink():
            return None if p.is_dir() else p
    return None


def prepare_folder(folder: str | Path, what: str = "--out") -> Path:
    """Create ``folder`` if needed and check that results can be written there, before any work
    is done: a file in the way, a folder that cannot be created or written, or a full disk is one
    ``ValueError`` naming ``what`` (the option)."""
    folder = Path(folder)
    blocking = _blocking_file(folder)
    if blocking == folder:
        raise ValueError(
            f"{what} {folder}: is a file, not a folder; allowed: a folder (created if missing)"
        )
    if blocking is not None:
        raise ValueError(
            f"{what} {folder}: {blocking} is a file, so no folder can be made under it; "
            "allowed: a folder (created if missing)"
        )
    existing = next(p for p in [folder, *folder.parents, Path(".")] if p.exists())
    if hasattr(os, "statvfs"):
        stat = os.statvfs(existing)
        if stat.f_bavail * stat.f_frsize < MIN_FREE:
            free = stat.f_bavail * stat.f_frsize // 1024
            raise ValueError(
                f"{what} {folder}: the disk is full ({free} KB free, at least "
                f"{MIN_FREE >> 10} KB needed); free some space or choose another folder"
            )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".pacts-probe-{secrets.token_hex(4)}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as err:
        raise ValueError(
            f"{what} {folder}: cannot write there ({err.strerror or err}); "
            "allowed: a folder you can write to"
        ) from None
    return folder


def _move_listed(tmp: Path, folder: Path) -> None:
    names = (tmp / COMPLETE).read_text(encoding="utf-8").splitlines()
    for name in names:
        if name and (tmp / name).exists():
            os.replace(tmp / name, folder / name)


def finish_stale_sets(folder: str | Path) -> None:
    """Deal with the temporary folders of killed commands in ``folder``: a complete set (all
    its files written) is moved into place, an incomplete one removed."""
    folder = Path(folder)
    try:
        entries = [folder / e for e in os.listdir(folder) if e.startswith(SET_PREFIX)]
    except OSError:
        return
    for tmp in entries:
        lock = tmp / ".lock"
        if not tmp.is_dir() or not (lock.exists() and _abandoned(lock)):
            if tmp.is_dir() and not lock.exists() and time.time() - tmp.stat().st_mtime > 60:
                shutil.rmtree(tmp, ignore_errors=True)  # killed before it took its lock
            continue
        if (tmp / COMPLETE).exists():
            _move_listed(tmp, folder)
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl+C and SIGTERM wait until the block is done (a few renames)."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def output_set(folder: str | Path, what: str = "--out") -> Iterator[Path]:
    """A temporary folder inside ``folder`` for one command's files, moved into ``folder``
    together when the block ends without error (and removed, with nothing moved, if it raises).

    The folder is checked first (:func:`prepare_folder`), so a bad ``--out`` fails before the
    work. An error while writing (a full disk, a read-only file system) becomes one
    ``ValueError`` naming ``what``; the previous files stay as they were."""
    folder = prepare_folder(folder, what)
    finish_stale_sets(folder)
    tmp = folder / f"{SET_PREFIX}{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
        fd = os.open(tmp / ".lock", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise ValueError(f"{what} {folder}: cannot write there ({err.strerror})") from None
    try:
        _lock(fd)
        try:
            yield tmp
            names = sorted(p.name for p in tmp.iterdir() if not p.name.startswith("."))
            (tmp / COMPLETE).write_text("".join(f"{n}\n" for n in names), encoding="utf-8")
        except OSError as err:
            if err.errno not in WRITE_ERRORS:
                raise
            raise ValueError(
                f"{what} {folder}: could not write the results ({err.strerror}); nothing was "
                "written (earlier results there are unchanged)"
            ) from None
        with _signals_held():
            _move_listed(tmp, folder)
    finally:
        os.close(fd)
        shutil.rmtree(tmp, ignore_errors=True)
