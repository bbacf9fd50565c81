"""Large weights mapped from the file instead of copied into anonymous memory.

The readers read every array of a file before assigning any (a damaged file then fails
before the model is touched). Read with ``dset[()]``, that is a full private copy of every
weight on top of the model's own parameters. A contiguous, unfiltered dataset in a file on
disk is just ``nbytes`` at a known offset, so it is mapped instead (``np.memmap``, copy on
write): the pages come from the page cache when the weight is assigned, stay reclaimable,
and the only private copy is the parameter itself. A stored ``model.weights.h5`` inside a
``.keras`` archive is mapped the same way, at the member's offset in the archive
(``zip_member.MemberFile``).

Anything else (chunked or compressed data, in-memory files, small arrays, non-native byte
order, offsets outside the file) is read normally.

A mapping reads the file as it is when the weight is assigned, a moment after the checks:
the loaders' own saves replace files (``os.replace``), which leaves a mapping on the old
file intact, but another program truncating the file in place during a load would make
the process fault (SIGBUS) instead of raising.
"""
from __future__ import annotations

import os

import numpy as np

from kerastorch.saving import zip_member

MIN_BYTES = 1 << 20  # smaller arrays are cheaper to read than to map


def _backing_file(dset) -> tuple[str, int] | None:
    """(path, offset of the HDF5 file's byte 0 in it) for the file holding ``dset``, if it is on disk."""
    name = dset.file.filename
    member = zip_member.open_members().get(name)
    if member is not None:
        return member.path, member.offset
    if dset.file.driver in ("sec2", "stdio") and os.path.isfile(name):
        return name, 0
    return None


def try_map(dset) -> np.ndarray | None:
    """``dset``'s values as a copy-on-write memory map of its file, or None where that does not apply."""
    dtype = dset.dtype
    if (dset.chunks is not None or dset.compression is not None or dset.is_virtual or dset.external
            or not dtype.isnative or dtype.kind not in "biufc" or dset.shape is None):
        return None
    nbytes = int(np.prod(dset.shape, dtype=np.int64)) * dtype.itemsize
    offset = dset.id.get_offset()
    if nbytes < MIN_BYTES or offset is None or dset.id.get_storage_size() != nbytes:
        return None
    backing = _backing_file(dset)
    if backing is None:
        return None
    path, base = backing
    try:
        if base + offset + nbytes > os.path.getsize(path):
            return None
        return np.memmap(path, dtype=dtype, mode="c", offset=base + offset, shape=dset.shape)
    except (OSError, ValueError):
        return None
