"""``get_file``: download a dataset or weights file once and reuse the cached copy.

Files go to ``$KERAS_HOME/<cache_subdir>`` (default ``~/.keras/datasets``), falling back to
``/tmp/.keras`` when that is not writable. A cached file is returned without touching the
network; a failed download raises ``OSError`` naming the URL and leaves no partial file.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import warnings
import zipfile
from typing import Any


def keras_home() -> str:
    return os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))


def _hasher(algorithm: str, file_hash: str | None = None) -> Any:
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = 65535) -> str:
    hasher = _hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto", chunk_size: int = 65535) -> bool:
    return hash_file(fpath, _hasher(algorithm, file_hash), chunk_size) == str(file_hash)


def _inside(base: str, target: str) -> bool:
    base, target = os.path.realpath(base), os.path.realpath(target)
    return os.path.commonpath([base, target]) == base


def extract_archive(file_path: str, path: str = ".", archive_format: Any = "auto") -> bool:
    """Extract a tar/zip archive into ``path``, skipping members that would escape it."""
    if archive_format is None:
        return False
    formats = ["tar", "zip"] if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                members = [m for m in archive.getmembers()
                           if _inside(path, os.path.join(path, m.name)) and not (m.issym() or m.islnk())]
                # filter="data" (Python >= 3.11.4) also blocks device files and absolute paths
                kwargs = {"filter": "data"} if "filter" in inspect.signature(archive.extractall).parameters else {}
                archive.extractall(path, members=members, **kwargs)
            return True
        if fmt == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                members = [m for m in archive.infolist() if _inside(path, os.path.join(path, m.filename))]
                archive.extractall(path, members=members)
            return True
    return False


def _cache_dir(cache_dir: str | None, cache_subdir: str) -> str:
    base = os.path.expanduser(cache_dir) if cache_dir is not None else keras_home()
    datadir = os.path.join(base, cache_subdir)  # an absolute cache_subdir wins, as in Keras
    try:
        os.makedirs(datadir, exist_ok=True)
        if os.access(datadir, os.W_OK):
            return datadir
    except OSError:
        pass
    datadir = os.path.join(tempfile.gettempdir(), ".keras", cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    return datadir


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None, cache_subdir: str = "datasets",
             hash_algorithm: str = "auto", extract: bool = False, archive_format: Any = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """Download ``origin`` into the Keras cache unless already there; return the local path.

    With ``extract=True`` (or Keras 2's ``untar=True``) the archive is unpacked and the
    extraction directory is returned, laid out as Keras 3 does: ``fname`` without an
    extension names the directory, ``"x.tar.gz"`` extracts to ``"x_extracted"``.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: {origin!r}. "
                         "Please specify the `fname` argument.")
    # Keras 2 accepted an absolute path as `fname`; honour it by caching next to that path.
    datadir = os.path.dirname(fname) if os.path.isabs(fname) else _cache_dir(cache_dir, cache_subdir)
    fname = os.path.basename(fname)

    extraction_dir = None
    if extract or untar:
        if "." in fname:
            download_target = os.path.join(datadir, fname)
            extraction_dir = os.path.join(datadir, f"{fname[:fname.find('.')]}_extracted")
        else:
            extraction_dir = os.path.join(datadir, fname)
            download_target = os.path.join(datadir, f"{fname}_archive")
    else:
        download_target = os.path.join(datadir, fname)

    download = force_download or not os.path.exists(download_target)
    if not download and file_hash is not None and not validate_file(download_target, file_hash, hash_algorithm):
        print(f"A local file was found, but its {hash_algorithm} hash does not match {file_hash}; "
              "downloading it again.")
        download = True

    if download:
        print(f"Downloading data from {origin}")
        partial = download_target + ".part"
        try:
            urllib.request.urlretrieve(origin, partial)
            os.replace(partial, download_target)
        except urllib.error.HTTPError as e:
            raise OSError(f"URL fetch failure on {origin}: HTTP {e.code} -- {e.msg}") from e
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise OSError(f"URL fetch failure on {origin}: {reason}. Check the URL and your network "
                          f"connection, or place the file at {download_target} by hand.") from e
        finally:
            if os.path.exists(partial):
                os.remove(partial)
        if file_hash is not None and not validate_file(download_target, file_hash, hash_algorithm):
            raise ValueError(f"Incomplete or corrupted file detected. The {hash_algorithm} file hash "
                             f"does not match the provided value of {file_hash}.")

    if extraction_dir is not None:
        if download or not os.path.exists(extraction_dir):
            if os.path.isdir(extraction_dir) and download:
                shutil.rmtree(extraction_dir)
            if not extract_archive(download_target, extraction_dir, "tar" if untar else archive_format):
                warnings.warn(f"Could not extract archive {download_target}.", stacklevel=2)
        return extraction_dir
    return download_target
