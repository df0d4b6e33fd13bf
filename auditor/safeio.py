"""Reading and writing files of a repository that may be hostile.

A scanned repository can commit a symbolic link where ragfit expects a file
(``pyproject.toml -> /dev/zero``, ``.gitignore -> /dev/stdin``,
``.ragfit_cache -> /home/you``) or a named pipe. Every file ragfit reads from
the repository or writes into it goes through this module:

- :func:`read_in_root` opens ``root/rel`` one component at a time relative to
  the folder above (``dir_fd``), each with ``O_NOFOLLOW``: a symbolic link
  anywhere on the way is refused, so nothing outside the root is reached. The
  file is opened with ``O_NONBLOCK`` (a FIFO cannot block the open), then
  ``fstat`` must say it is a regular file, and at most ``limit`` bytes are
  read (one more is asked for, to tell an exact fit from a file too large).
- :func:`read_regular` does the same for a path the user named (``--config``,
  ``--baseline``, the metadata of ``--python``'s environment): links are
  followed there, but devices and pipes are still refused and reads bounded.
- :func:`private_dir` opens (or creates) a folder inside the root for ragfit's
  own files: it must be a real folder, not a link, owned by the current user;
  :func:`write_in_dir` writes a file in it atomically (a temporary file created
  with ``O_EXCL | O_NOFOLLOW``, then renamed over the name, which replaces a
  planted link rather than writing through it).

Problems are :class:`UnsafeFile` (an ``OSError``) with a ``kind`` for the
report: ``symlink``, ``special-file``, ``too-large``, ``unreadable``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "UnsafeFile",
    "open_in_root",
    "private_dir",
    "read_chunks_in_root",
    "read_in_dir",
    "read_in_root",
    "read_regular",
    "write_in_dir",
]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)
# dir_fd and O_NOFOLLOW exist on Linux and macOS; elsewhere each component is
# checked with lstat before it is opened (racy, but still refuses planted links).
_AT = os.open in os.supports_dir_fd and bool(_NOFOLLOW) and bool(_DIRECTORY)


class UnsafeFile(OSError):
    """A file ragfit will not read or write; ``kind`` names why, ``str()`` says it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _parts(rel: str) -> list[str]:
    parts = [p for p in rel.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise UnsafeFile("unreadable", "not a path inside the scanned folder")
    return parts


def _open_dir_chain(root: Path, folders: list[str]) -> int:
    """A descriptor of ``root/folders...``, refusing a link at every step."""
    fd = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        for name in folders:
            try:
                child = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                    _refuse_link_or_file(fd, name)
                raise
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def _refuse_link_or_file(dir_fd: int, name: str) -> None:
    try:
        info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UnsafeFile("symlink", "a symbolic link on the way; not followed")
    raise UnsafeFile("unreadable", "not a folder on the way")


def _open_in_root(root: Path, rel: str, flags: int) -> int:
    parts = _parts(rel)
    if not _AT:
        return _open_checked(root, parts, flags)
    folder = _open_dir_chain(root, parts[:-1])
    try:
        try:
            return os.open(parts[-1], flags | _NOFOLLOW | _CLOEXEC, dir_fd=folder)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.EMLINK):
                raise UnsafeFile("symlink", "a symbolic link; not followed") from None
            raise
    finally:
        os.close(folder)


def _open_checked(root: Path, parts: list[str], flags: int) -> int:
    """Without ``dir_fd``: lstat every component, then open."""
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise UnsafeFile("symlink", "a symbolic link; not followed")
    return os.open(path, flags | _BINARY)


def _read_fd(fd: int, limit: int) -> bytes:
    """Read a regular file's descriptor, at most ``limit`` bytes (closes it)."""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("special-file", f"not a regular file ({_file_type(info.st_mode)})")
        if info.st_size > limit:
            raise UnsafeFile("too-large", f"{info.st_size} bytes is over the {limit}-byte cap")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # the file grew since fstat
            raise UnsafeFile("too-large", f"over the {limit}-byte cap")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def open_in_root(root: Path, rel: str) -> int:
    """A read-only descriptor of the regular file ``root/rel``, reached without
    following any link (for callers that read in windows: ``os.pread``). The
    caller closes it. Raises :class:`UnsafeFile`."""
    try:
        fd = _open_in_root(root, rel, os.O_RDONLY | _NONBLOCK)
    except UnsafeFile:
        raise
    except OSError as exc:
        raise UnsafeFile("unreadable", _reason(exc)) from None
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise UnsafeFile("unreadable", _reason(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise UnsafeFile("special-file", f"not a regular file ({_file_type(info.st_mode)})")
    return fd


def read_in_root(root: Path, rel: str, limit: int) -> bytes:
    """The bytes of ``root/rel``: a regular file reached without following any
    link, at most ``limit`` bytes. Raises :class:`UnsafeFile` (or ``OSError``)."""
    try:
        fd = _open_in_root(root, rel, os.O_RDONLY | _NONBLOCK)
    except UnsafeFile:
        raise
    except OSError as exc:
        raise UnsafeFile("unreadable", _reason(exc)) from None
    return _read_fd(fd, limit)


def read_chunks_in_root(root: Path, rel: str, chunk: int) -> Iterator[bytes]:
    """A regular file in the root (no links) read in pieces of at most ``chunk``
    bytes: a file of any size in bounded memory."""
    try:
        fd = _open_in_root(root, rel, os.O_RDONLY | _NONBLOCK)
    except UnsafeFile:
        raise
    except OSError as exc:
        raise UnsafeFile("unreadable", _reason(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile("special-file", f"not a regular file ({_file_type(info.st_mode)})")
        while True:
            data = os.read(fd, chunk)
            if not data:
                break
            yield data
    finally:
        os.close(fd)


def read_regular(path: Path, limit: int) -> bytes:
    """A file the user named (links followed): regular files only, bounded."""
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC | _BINARY)
    except OSError as exc:
        raise UnsafeFile("unreadable", _reason(exc)) from None
    return _read_fd(fd, limit)


def private_dir(root: Path, name: str, *, create: bool = True) -> int:
    """A descriptor of the folder ``root/name``, created (mode 0700) when missing
    and ``create`` (else ``FileNotFoundError``).

    Refused (:class:`UnsafeFile`) when it is a link, not a folder, or owned by
    someone else: a folder committed to the repository as a link to somewhere
    else must not receive ragfit's writes, nor serve it content."""
    if not _AT:
        path = root / name
        if path.is_symlink():
            raise UnsafeFile("symlink", f"{name} is a symbolic link; not used")
        if create:
            path.mkdir(mode=0o700, exist_ok=True)
        return os.open(path, os.O_RDONLY)
    parent = os.open(root, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=parent)
        try:
            fd = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=parent)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
                _refuse_link_or_file(parent, name)
            raise
    finally:
        os.close(parent)
    info = os.fstat(fd)
    owner = getattr(os, "getuid", None)
    if owner is not None and info.st_uid != owner():
        os.close(fd)
        raise UnsafeFile("unsafe-folder", f"{name} belongs to another user; not used")
    return fd


def read_in_dir(dir_fd: int, name: str, limit: int) -> bytes:
    """A regular file in a folder opened with :func:`private_dir` (no links)."""
    if not _AT:
        raise UnsafeFile("unreadable", "not supported on this platform")
    try:
        fd = os.open(name, os.O_RDONLY | _NONBLOCK | _NOFOLLOW | _CLOEXEC, dir_fd=dir_fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK):
            raise UnsafeFile("symlink", f"{name} is a symbolic link; not read") from None
        raise UnsafeFile("unreadable", _reason(exc)) from None
    return _read_fd(fd, limit)


def write_in_dir(dir_fd: int, name: str, data: bytes, *, replace: bool = True) -> bool:
    """Write ``name`` in the folder atomically; with ``replace=False`` only when it
    does not exist yet. Never writes through a link. True when written."""
    if not replace:
        try:
            fd = os.open(
                name,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC,
                0o600,
                dir_fd=dir_fd,
            )
        except FileExistsError:
            return False
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return True
    temp = f".{name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(
        temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=dir_fd
    )
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)
        raise
    return True
