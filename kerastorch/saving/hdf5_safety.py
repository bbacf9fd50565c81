"""Refuse HDF5 content that makes a loader read data from outside the file it was given.

HDF5 can store, in place of a weight, a pointer to somewhere else:

* an **external link** (``h5py.ExternalLink``) or a user-defined link: the name resolves
  to an object inside *another* HDF5 file, opened by the library on access;
* a **virtual dataset**: its values are assembled from datasets in other files;
* **external raw storage** (``H5Pset_external``): the dataset's bytes live in arbitrary
  raw files (``/etc/passwd``, a device...).

A file handed to ``load_model``/``load_weights`` is only that file: the user never
named the other files, so reading them is a confused-deputy leak (the values of a
foreign file become model weights the attacker can later read back) and can touch
devices or FIFOs. Keras 3.15 refuses all three ("Not allowed: H5 file with
ExternalLink" / "virtual Dataset" / "external Dataset"). kerastorch refuses them too,
by default, before any weight is read; ``safe_mode=False`` (or
``enable_unsafe_deserialization()``) lets a trusted file through.

Soft links resolve inside the same file, so they are allowed (unlike Keras, which
refuses them for its own format without a reason tied to safety); the walk below
never follows them, and the external link a soft link might point through is found
at its own location anyway.

The walk visits every link of the file once, without resolving soft or external
links and without reading any dataset's values: only link records and dataset
creation properties (a few header messages), so it is cheap even for large files.
"""
from __future__ import annotations

from kerastorch.layers import serialization

UNSAFE_HINT = ("If you trust this file and every file it points to, pass `safe_mode=False` to the loading "
               "function (`load_model(..., safe_mode=False)`, `model.load_weights(..., safe_mode=False)`) or "
               "call `kerastorch.saving.enable_unsafe_deserialization()`.")
# Bounds on the walk itself: a hostile file can declare millions of links.
MAX_LINKS = 1_000_000
MAX_DEPTH = 64


class UnsafeFileError(ValueError):
    """A file refused by safe loading (it points outside itself, or is built to exhaust the reader)."""


class UnsafeHDF5Error(UnsafeFileError):
    """An HDF5 file that points outside itself (external link, virtual or external dataset)."""


def resolve_safe_mode(safe_mode: bool | None) -> bool:
    """``safe_mode`` as given, or (None) the ambient setting: a ``SafeModeScope`` or the global switch."""
    if safe_mode is not None:
        return bool(safe_mode)
    return serialization.in_safe_mode()


def _where(label) -> str:
    import os
    if isinstance(label, (str, os.PathLike)):
        return repr(os.fspath(label))
    return "<file object>"


def find_foreign_references(f) -> list[tuple[str, str, str]]:
    """Every (object path, kind, detail) in an open HDF5 file that refers to data outside it.

    ``kind`` is one of "ExternalLink", "UserDefinedLink", "virtual Dataset", "external Dataset".
    Hard-linked groups are visited once (by object address), so cycles end.
    """
    import h5py
    found: list[tuple[str, str, str]] = []
    seen_objects: set = set()
    stack = [(f["/"] if isinstance(f, h5py.File) else f, f.name if hasattr(f, "name") else "/", 0)]
    links = 0
    while stack:
        group, gpath, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise UnsafeHDF5Error(f"Groups are nested more than {MAX_DEPTH} levels deep at {gpath!r}.")
        for key in group:
            links += 1
            if links > MAX_LINKS:
                raise UnsafeHDF5Error(f"The file holds more than {MAX_LINKS} links.")
            path = gpath.rstrip("/") + "/" + key
            link = group.get(key, getlink=True)
            if isinstance(link, h5py.ExternalLink):
                found.append((path, "ExternalLink", f"-> {link.filename}:{link.path}"))
                continue
            if isinstance(link, h5py.SoftLink):
                continue  # resolves inside this file; its target is checked where it lives
            if not isinstance(link, h5py.HardLink):
                found.append((path, "UserDefinedLink", type(link).__name__))
                continue
            obj = group.get(key)
            if obj is None:
                continue
            address = h5py.h5o.get_info(obj.id).addr
            if address in seen_objects:
                continue
            seen_objects.add(address)
            if isinstance(obj, h5py.Group):
                stack.append((obj, path, depth + 1))
            elif isinstance(obj, h5py.Dataset):
                if obj.is_virtual:
                    sources = sorted({m.file_name for m in obj.virtual_sources()})
                    found.append((path, "virtual Dataset", "sources " + ", ".join(map(repr, sources[:3]))))
                elif obj.external:
                    files = sorted({str(e[0]) for e in obj.external})
                    found.append((path, "external Dataset", "raw files " + ", ".join(map(repr, files[:3]))))
    return found


def check_h5(f, label=None, safe_mode: bool | None = None) -> None:
    """Raise ``UnsafeHDF5Error`` (a ValueError) if ``f`` points outside itself, unless safe mode is off."""
    if not resolve_safe_mode(safe_mode):
        return
    found = find_foreign_references(f)
    if not found:
        return
    path, kind, detail = found[0]
    more = f" (and {len(found) - 1} more such objects)" if len(found) > 1 else ""
    raise UnsafeHDF5Error(
        f"Not allowed: H5 file with {kind} at {path!r} ({detail}) in {_where(label)}{more}. Loading it would "
        f"read data from a file you did not name. {UNSAFE_HINT}")
