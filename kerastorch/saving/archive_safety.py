"""Checks on a ``.keras`` zip archive before any member is read.

kerastorch never extracts an archive to disk: it reads ``config.json`` and
``model.weights.h5`` into memory by name. The checks here still refuse what no
genuine Keras archive contains, so that a hostile archive fails early and the same
way whatever reads it later:

* **duplicate members**: zip readers disagree on which copy wins (Python's ``zipfile``
  returns the last one, other tools the first), so a reviewer's tool and the loader
  could see different configs;
* **member names that escape the archive** (absolute, a drive letter, ``..``
  components): harmless to an in-memory reader, a write outside the folder to any
  tool that extracts the file;
* **decompression bombs**: a member that declares far more bytes than it stores.
  Keras writes members stored (ratio 1:1) and DEFLATE cannot exceed about 1032:1, so
  a member above ``BOMB_FLOOR_BYTES`` that expands more than ``MAX_EXPANSION`` times
  is refused before it is allocated (Keras's rule, with a lower floor: Keras allows
  any bomb under 4 GiB). ``zipfile`` never decompresses past the declared size, so
  the declared size is the real bound.
"""
from __future__ import annotations

import os
import re
import zipfile

from kerastorch.saving.hdf5_safety import UnsafeFileError

BOMB_FLOOR_BYTES = 256 * 1024 * 1024
MAX_EXPANSION = 100
MAX_MEMBERS = 100_000
_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafeArchiveError(UnsafeFileError):
    """A zip archive with content no Keras archive has (duplicates, escaping names, bombs)."""


def _where(label) -> str:
    if isinstance(label, (str, os.PathLike)):
        return repr(os.fspath(label))
    return "<file object>"


def escapes(name: str) -> bool:
    """Whether an archive member name would land outside the extraction folder."""
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or _DRIVE.match(normalized):
        return True
    return ".." in normalized.split("/")


def check_archive(zf: zipfile.ZipFile, label=None) -> None:
    """Raise ``UnsafeArchiveError`` (a ValueError) for duplicate, escaping or bomb members."""
    infos = zf.infolist()
    where = _where(label)
    if len(infos) > MAX_MEMBERS:
        raise UnsafeArchiveError(f"Not allowed: {where} holds {len(infos)} members (at most {MAX_MEMBERS}).")
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if name in seen:
            raise UnsafeArchiveError(f"Not allowed: archive member {name!r} appears more than once in {where}; "
                                     "zip readers disagree on which copy is used.")
        seen.add(name)
        if escapes(name):
            raise UnsafeArchiveError(f"Not allowed: archive member {name!r} in {where} has a name that points "
                                     "outside the archive (absolute path or '..').")
        if info.file_size > BOMB_FLOOR_BYTES and info.file_size > MAX_EXPANSION * info.compress_size:
            raise UnsafeArchiveError(
                f"Not allowed: archive member {name!r} in {where} declares {info.file_size} bytes but stores only "
                f"{info.compress_size}; refusing to load a potential decompression bomb.")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise UnsafeArchiveError(f"Not allowed: stored (uncompressed) member {name!r} in {where} declares "
                                     f"{info.file_size} bytes but occupies {info.compress_size}.")
