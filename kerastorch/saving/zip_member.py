"""Read a stored (uncompressed) zip member in place, as a seekable file, without copying it.

Keras writes ``model.weights.h5`` into a ``.keras`` archive *stored*, so its bytes sit
contiguously in the archive file. Reading the member into memory first (``zf.read``)
would hold a full copy of every weight before HDF5 even starts, and the arrays read
from it are a second copy (``bench/load_memory.py`` measured 3.3x the file size for
``load_model`` of a ``.keras``). ``MemberFile`` is a read-only window over the archive
that h5py opens like a file: HDF5 reads each dataset straight from the archive.

Reads use ``os.pread`` (positional): a forked reader (the HDF5 preflight child) shares
the descriptor but never its offset. Compressed members cannot be windowed and are read
into memory as before. The member's CRC is checked while streaming it once.
"""
from __future__ import annotations

import io
import os
import struct
import weakref
import zipfile
import zlib

_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50


_OPEN: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def open_members() -> weakref.WeakValueDictionary:
    """Live ``MemberFile`` objects by the name h5py gives a file opened on them."""
    return _OPEN


class MemberFile(io.RawIOBase):
    """A read-only, seekable view of ``length`` bytes at ``offset`` in the file at ``path``."""

    def __init__(self, path, offset: int, length: int):
        super().__init__()
        self.path, self.offset = os.fspath(path), offset
        self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        self._offset, self._length, self._pos = offset, length, 0
        # h5py names a file object by its repr; mapped_read finds the archive behind it through this.
        _OPEN[repr(self)] = self

    def __len__(self) -> int:
        return self._length

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        if base + pos < 0:
            raise ValueError(f"negative seek position {base + pos}")
        self._pos = base + pos
        return self._pos

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), max(self._length - self._pos, 0))
        done = 0
        while done < want:
            chunk = os.pread(self._fd, min(want - done, 1 << 30), self._offset + self._pos + done)
            if not chunk:
                break  # the archive is shorter than its directory says: HDF5 reports the truncation
            view[done:done + len(chunk)] = chunk
            done += len(chunk)
        self._pos += done
        return done

    def close(self) -> None:
        if not self.closed:
            os.close(self._fd)
        super().close()


def open_member(path, zf: zipfile.ZipFile, name: str):
    """A ``MemberFile`` over member ``name`` if it is stored, else its bytes (read into memory)."""
    info = zf.getinfo(name)
    if (info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1 or not isinstance(path, (str, os.PathLike))
            or not hasattr(os, "pread")):  # no positional reads (Windows): read into memory as before
        return zf.read(name)
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        header = f.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or _LOCAL_HEADER.unpack(header)[0] != _LOCAL_SIGNATURE:
        return zf.read(name)  # let zipfile report the damage
    name_len, extra_len = _LOCAL_HEADER.unpack(header)[9:11]
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    if start + info.file_size > os.path.getsize(path):
        return zf.read(name)
    member = MemberFile(path, start, info.file_size)
    # zf.read would check the CRC; so does this, streaming (constant memory), so a damaged weight is
    # refused here instead of loading silently.
    crc, buffer = 0, bytearray(1 << 22)
    while True:
        n = member.readinto(buffer)
        if not n:
            break
        crc = zlib.crc32(memoryview(buffer)[:n], crc)
    if crc != info.CRC:
        member.close()
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {name!r}")
    member.seek(0)
    return member
