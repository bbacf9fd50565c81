"""File helpers for saving: atomic writes, format sniffing, and guarded HDF5 reading.

Every reader here turns a damaged or foreign file into a ``ValueError`` naming the
file and what is wrong, instead of letting h5py/zipfile errors (or a huge
allocation requested by a corrupt header) escape from deep inside.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import zipfile

import numpy as np

from kerastorch.saving import hdf5_safety, mapped_read

# Atomic writes live in their own module (temp naming, stale-file cleanup); re-exported here.
from kerastorch.saving.atomic import atomic_path, atomic_write_bytes  # noqa: F401
from kerastorch.saving.hdf5_safety import UnsafeFileError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
# Bounds that keep a corrupt file from driving a loader into a hang or a huge allocation.
MAX_ATTRIBUTE_CHUNKS = 10_000
MAX_NAMES = 1_000_000
MAX_GROUP_DEPTH = 64
MAX_GROUP_NODES = 1_000_000
MAX_JSON_BYTES = 256 * 1024 * 1024

# What h5py, zipfile and json raise on bad input.
READ_ERRORS = (OSError, KeyError, RuntimeError, TypeError, ValueError, IndexError, AttributeError,
               UnicodeDecodeError, EOFError, OverflowError, MemoryError, zipfile.BadZipFile,
               zipfile.LargeZipFile, NotImplementedError, AssertionError, SystemError)


class FileFormatError(ValueError):
    """A file that is damaged, truncated, or not in a format this loader reads."""


def describe(path) -> str:
    return repr(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else "<file object>"


@contextlib.contextmanager
def reading(path, what: str = "read"):
    """Convert low-level read errors into ``FileFormatError`` (a ValueError) naming the file."""
    try:
        yield
    except (FileFormatError, UnsafeFileError):  # already clear; a safety refusal keeps its own message
        raise
    except FileNotFoundError:
        raise
    except READ_ERRORS as e:
        raise FileFormatError(f"Could not {what} {describe(path)}: the file is damaged, truncated or not in the "
                              f"expected format ({type(e).__name__}: {e}).") from e


# --------------------------------------------------------------------- sniffing
def sniff(path) -> str:
    """The file's format from its first bytes: 'zip', 'hdf5', 'pickle', 'empty' or 'unknown'."""
    with open(path, "rb") as f:
        head = f.read(8)
        if not head:
            return "empty"
        if head[:4] in ZIP_SIGNATURES:
            return "zip"
        if head == HDF5_SIGNATURE:
            return "hdf5"
        for offset in (512, 1024, 2048, 4096):  # HDF5 allows a user block before the superblock
            f.seek(offset)
            if f.read(8) == HDF5_SIGNATURE:
                return "hdf5"
    if head[:1] == b"\x80":
        return "pickle"
    return "unknown"


def zip_kind(path) -> str:
    """'keras' for a .keras archive, 'torch' for a torch.save archive, else 'zip'."""
    with reading(path, "open the zip archive"):
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    if "config.json" in names or "model.weights.h5" in names:
        return "keras"
    if any(n.endswith("data.pkl") for n in names):
        return "torch"
    return "zip"


def file_size(path) -> int:
    try:
        return os.path.getsize(path)
    except (OSError, TypeError):
        return 0


# --------------------------------------------------------------------- HDF5
def _walk_everything(source, size: int) -> None:
    """Touch every attribute and (small) dataset of an HDF5 file: what the loaders may read."""
    import h5py
    f = h5py.File(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source, "r")
    budget = read_budget(size)
    read_data = size <= 64 * 1024 * 1024
    stack, seen = [(f, 0)], 0
    while stack:
        obj, depth = stack.pop()
        seen += 1
        if seen > MAX_GROUP_NODES or depth > MAX_GROUP_DEPTH:
            return
        for key in list(obj.attrs.keys()):
            obj.attrs[key]
        if isinstance(obj, h5py.Group):
            for key in list(obj.keys()):
                if not isinstance(obj.get(key, getlink=True), (h5py.HardLink, h5py.SoftLink)):
                    continue  # never open another file from here (hdf5_safety refuses such links)
                item = obj.get(key)
                if item is not None:
                    stack.append((item, depth + 1))
        elif (isinstance(obj, h5py.Dataset) and read_data and obj.shape is not None and obj.dtype.kind in "biufc"
              and not obj.is_virtual and not obj.external
              and int(np.prod(obj.shape, dtype=np.float64)) * obj.dtype.itemsize <= budget):
            obj[()]


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a running process (Linux /proc), or None where not available."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def preflight_h5(source, label, size: int) -> None:
    """Read the whole HDF5 file once in a forked child with a deadline.

    A damaged file can make the HDF5 C library loop forever (e.g. a zeroed global heap
    behind a variable-length string attribute) or crash; neither can be interrupted from
    Python. The child absorbs that: a timeout or a crash becomes a FileFormatError here.
    Disable with ``KERASTORCH_H5_PREFLIGHT=0``.
    """
    if os.environ.get("KERASTORCH_H5_PREFLIGHT", "1") == "0" or not hasattr(os, "fork"):
        return
    import signal
    import time
    timeout = 3.0 + size / 50e6
    pid = os.fork()
    if pid == 0:  # child: never returns into the caller's code
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            _walk_everything(source, size)
        except BaseException:  # noqa: BLE001 - ordinary errors are reported by the guarded reader
            code = 2
        finally:
            os._exit(code)
    # The budget is the child's CPU time where the OS reports it (a busy machine stretches wall time, not
    # work), with a wall-clock cap ten times larger; elsewhere, wall time.
    start = time.monotonic()
    delay = 0.0005
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        elapsed = time.monotonic() - start
        used = _cpu_seconds(pid)
        if (used if used is not None else elapsed) > timeout or elapsed > 10 * timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise FileFormatError(f"Reading {describe(label)} does not terminate (the HDF5 library loops on it): "
                                  "the file is damaged.")
        time.sleep(delay)
        delay = min(delay * 2, 0.01)
    if os.WIFSIGNALED(status):
        raise FileFormatError(f"Reading {describe(label)} crashes the HDF5 library (signal {os.WTERMSIG(status)}): "
                              "the file is damaged.")


def open_h5(source, path_label=None, mode: str = "r", size: int | None = None, safe_mode: bool | None = None):
    """``h5py.File`` for a path or bytes, with open errors reported as FileFormatError.

    Read mode refuses files that point outside themselves (see ``hdf5_safety``) unless
    ``safe_mode`` is False (None: the ambient safe-mode setting).
    """
    import h5py
    label = path_label if path_label is not None else source
    if mode == "r":
        if size is None:
            size = (file_size(source) if isinstance(source, (str, os.PathLike))
                    else len(source) if hasattr(source, "__len__") else 0)
        preflight_h5(source, label, size)
    with reading(label, "open the HDF5 file"):
        if isinstance(source, (bytes, bytearray)):
            f = h5py.File(io.BytesIO(source), mode)
        else:
            f = h5py.File(source, mode)
    if mode == "r":
        try:
            hdf5_safety.check_h5(f, label, safe_mode)
        except hdf5_safety.UnsafeHDF5Error:
            f.close()
            raise
        except READ_ERRORS as e:
            f.close()
            raise FileFormatError(f"Could not inspect the links of {describe(label)}: the file is damaged "
                                  f"({type(e).__name__}: {e}).") from e
    return f


def decode(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.bytes_):
        return bytes(value).decode("utf-8")
    if isinstance(value, (str, np.str_)):
        return str(value)
    raise FileFormatError(f"Expected a string attribute, found {type(value).__name__}.")


def read_string_attr(obj, name: str):
    """A scalar string attribute (``model_config``, ``keras_version``...), or None."""
    if name not in obj.attrs:
        return None
    value = obj.attrs[name]
    if isinstance(value, np.ndarray):
        if value.size != 1:
            raise FileFormatError(f"Attribute {name!r} should hold one string, found an array of shape "
                                  f"{value.shape}.")
        value = value.reshape(()).item()
    return decode(value)


def read_name_list(obj, name: str) -> list[str]:
    """A list-of-names attribute, also when split into ``name0``, ``name1``... chunks."""
    attrs = obj.attrs
    if name in attrs:
        chunks = [attrs[name]]
    else:
        chunks = []
        i = 0
        while f"{name}{i}" in attrs:
            if i >= MAX_ATTRIBUTE_CHUNKS:
                raise FileFormatError(f"Attribute {name!r} is split into more than {MAX_ATTRIBUTE_CHUNKS} chunks.")
            chunks.append(attrs[f"{name}{i}"])
            i += 1
    out: list[str] = []
    for chunk in chunks:
        arr = np.asarray(chunk)
        if arr.ndim > 1:
            raise FileFormatError(f"Attribute {name!r} should be a list of names, found shape {arr.shape}.")
        if arr.size and arr.dtype.kind not in ("S", "U", "O"):
            raise FileFormatError(f"Attribute {name!r} should be a list of names, found dtype {arr.dtype}.")
        for item in arr.reshape(-1):
            out.append(decode(item))
        if len(out) > MAX_NAMES:
            raise FileFormatError(f"Attribute {name!r} lists more than {MAX_NAMES} names.")
    return out


def has_name_list(obj, name: str) -> bool:
    return name in obj.attrs or f"{name}0" in obj.attrs


def read_array(dset, budget: int, where: str) -> np.ndarray:
    """A dataset's values, refusing datasets whose declared size is implausible for the file."""
    import h5py
    if not isinstance(dset, h5py.Dataset):
        raise FileFormatError(f"{where} should be a dataset, found a {type(dset).__name__}.")
    dtype = dset.dtype
    if dtype.kind not in "biuf" and dtype.kind != "c":
        raise FileFormatError(f"{where} holds {dtype} data, not numbers.")
    shape = dset.shape
    if shape is None:
        raise FileFormatError(f"{where} has no shape (empty dataspace).")
    nbytes = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
    if nbytes > budget:
        raise FileFormatError(f"{where} claims {nbytes} bytes of data, more than the file can hold.")
    mapped = mapped_read.try_map(dset)  # large contiguous weights: mapped, not copied
    return mapped if mapped is not None else np.asarray(dset[()])


def read_budget(size: int) -> int:
    """The most bytes any single dataset can plausibly hold in a file of ``size`` bytes."""
    return 4 * max(size, 0) + (1 << 20)


def load_json(text, what: str):
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_JSON_BYTES:
            raise FileFormatError(f"The {what} is too large ({len(text)} bytes).")
        text = text.decode("utf-8")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        raise FileFormatError(f"The {what} is not valid JSON: {e}") from e


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str):
    return [int(p) if p.isdigit() else p for p in _DIGITS.split(name)]
