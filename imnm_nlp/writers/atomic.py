"""Atomic file writes: readers of an output never see half a file, and a crash leaves the old one.

Contract:
    * The data goes to a temporary file in the *same directory* as the target (``os.replace`` is only
      atomic within one file system), is flushed and ``fsync``-ed, then renamed over the target.
    * If the block raises, the temporary file is removed and the target is left exactly as it was
      (absent, or with its previous content).
    * The new file gets the ordinary permissions of a newly created file (``0o666`` minus the umask),
      not the ``0o600`` that :mod:`tempfile` would give it.

Two forms: :func:`atomic_write` yields an open file object; :func:`atomic_path` yields the temporary
*path*, for libraries that insist on opening the file themselves (``pyarrow.parquet``).

Example:
    >>> with atomic_write(tmp / "records.jsonl") as fh:  # doctest: +SKIP
    ...     fh.write('{"type": "epi"}\\n')
"""

from __future__ import annotations

import logging
import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator

logger = logging.getLogger(__name__)

__all__ = ["atomic_write", "atomic_path"]


def _temp_name(target: Path) -> Path:
    # A dot-prefixed name so directory listings and globbing (`*.jsonl`) ignore an in-flight file;
    # a random part so two writers of the same target never share a temp file.
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems (e.g. certain network mounts) refuse fsync on a directory
        pass
    finally:
        os.close(fd)


def _discard(tmp: Path) -> None:
    try:
        tmp.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:  # never mask the original exception with a cleanup failure
        logger.warning("could not remove temporary file %s: %s", tmp, exc)


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    The caller (or the library it hands the path to) creates and closes the file. The file is
    ``fsync``-ed before the rename. On an exception the temporary file is removed and ``path`` is
    untouched.

    Args:
        path: the final file. Its parent directory is created when missing.

    Yields:
        The temporary path to write to.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(target)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"atomic_path: nothing was written to the temporary file for {target}")
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        _discard(tmp)
        raise
    _fsync_dir(target.parent)


@contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    encoding: str | None = "utf-8",
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; on success it atomically replaces ``path``.

    Args:
        path: the final file. Its parent directory is created when missing.
        mode: ``"w"`` (text) or ``"wb"`` (binary). Appending cannot be atomic, so ``"a"`` is refused.
        encoding: text encoding (ignored in binary mode). Default UTF-8, never the locale's.
        newline: passed to :func:`open` (the csv module wants ``""``).

    Yields:
        The open file object.

    Raises:
        ValueError: for a mode other than ``"w"``/``"wb"``.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb'; got {mode!r}")
    with atomic_path(path) as tmp:
        # O_EXCL: the name is random, so an existing file means something is wrong; 0o666 lets the
        # umask decide the final permissions as it would for an ordinary open().
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
