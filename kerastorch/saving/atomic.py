"""Atomic file writes that leave nothing behind, even when the writer is killed.

A save writes a temporary file in the target's own folder (same filesystem, so the
final ``os.replace`` is atomic: readers see the old file or the new one, never half of
one), fsyncs it, and renames it onto the target. The temporary file is removed on any
exception.

A process killed mid-save (SIGKILL, OOM killer, power loss) cannot run cleanup, so its
temporary file stays. The name makes it recognisable and attributable::

    .<target basename>.<host>.<pid>.<random>.kerastorch-tmp

and the next save to the same target removes every such file whose writer is gone: a
pid on this host that no longer exists, or (other hosts, pid reuse) a file untouched for
``STALE_AFTER_S``. Files of a live writer (a concurrent save) are left alone. So repeated
crashes of a long job leave at most one stray file per target, and only until the next
save.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import time
from collections.abc import Iterator

SUFFIX = ".kerastorch-tmp"
# A temporary file whose writer cannot be checked (another host) counts as abandoned after this long
# without a write: far longer than any save takes between two writes.
STALE_AFTER_S = 6 * 3600.0


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "-", socket.gethostname() or "host")[:64]


def temp_name(path: str) -> str:
    """A fresh temporary path for ``path``, in its folder, under the recognisable name."""
    folder, base = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{base}.{_host()}.{os.getpid()}.{secrets.token_hex(4)}{SUFFIX}")


def _pattern(base: str) -> re.Pattern:
    return re.compile(re.escape("." + base + ".") + r"(?P<host>[A-Za-z0-9_-]+)\.(?P<pid>\d+)\.[0-9a-f]+"
                      + re.escape(SUFFIX) + "$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except (OSError, ValueError, OverflowError):  # no signal semantics (Windows) or absurd pid: not checkable
        return True
    return True


def stale_temporaries(path) -> list[str]:
    """Temporary files of ``path`` whose writer is gone (see the module docstring)."""
    folder, base = os.path.split(os.path.abspath(os.fspath(path)))
    pattern = _pattern(base)
    host = _host()
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    stale = []
    now = time.time()
    for name in names:
        match = pattern.match(name)
        if match is None:
            continue
        full = os.path.join(folder, name)
        try:
            age = now - os.stat(full).st_mtime
        except OSError:
            continue  # already gone (another cleaner, or the writer renamed it)
        if age > STALE_AFTER_S or (match["host"] == host and not _alive(int(match["pid"]))):
            stale.append(full)
    return stale


def remove_stale_temporaries(path) -> int:
    """Delete the abandoned temporary files of ``path``; the number removed."""
    removed = 0
    for full in stale_temporaries(path):
        with contextlib.suppress(FileNotFoundError):
            os.remove(full)
            removed += 1
    return removed


def _fsync(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some filesystems (and Windows read-only handles) refuse fsync: durability is best effort
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path, overwrite: bool = True) -> Iterator[str]:
    """Yield a temporary path next to ``path``; on success it is fsynced and renamed onto ``path``.

    On any exception (KeyboardInterrupt included) the temporary file is removed and the
    target is untouched.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = temp_name(path)
    # Create it exclusively now, so the name is ours even if the writer reopens it by path.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # umask applies, as for open()
    try:
        yield tmp
        if not overwrite and os.path.exists(path):
            raise FileExistsError(f"{path!r} already exists and overwrite=False.")
        _fsync(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)


def atomic_write_bytes(path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(data)
