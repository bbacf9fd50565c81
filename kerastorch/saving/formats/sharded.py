"""Sharded Keras 3 weights: ``save_weights(path, max_shard_size=...)`` and reading them back.

Keras 3's layout (``ShardedH5IOStore``): an index ``<base>.weights.json`` holding
``{"metadata": {"total_size": bytes}, "weight_map": {"/layers/dense/vars": "<base>_00000.weights.h5"}}``
next to shard files ``<base>_NNNNN.weights.h5``. Every shard is an ordinary Keras 3
weights file holding some of the ``vars`` groups; a group split across shards maps to a
list of file names. Weights go into shards in write order, and a new shard starts when
the current one would pass ``max_shard_size`` (in GB, as Keras).

Writing reuses the one Keras 3 weights writer (into memory), then deals its datasets out
to the shards; the first shard also keeps every (empty) group, so the layer structure is
in one place. Reading merges the shards named in the index into one in-memory weights
file and hands it to the ordinary loader, so sharded and single files load the same way.
"""
from __future__ import annotations

import io
import json
import os
import warnings

import h5py

import kerastorch.saving.file_utils as file_utils
from kerastorch.saving.file_utils import FileFormatError
from kerastorch.saving.formats import keras_v3

_GB = 1024 ** 3


def _readable(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} GB"


def index_path(path: str) -> str:
    """The ``.json`` index path Keras uses for ``path`` (``x.weights.h5`` becomes ``x.weights.json``, warned)."""
    root, ext = os.path.splitext(path)
    if ext == ".json":
        return path
    new = root + ".json"
    warnings.warn(f"Saving sharded weights requires `*.json` as the extension. The original path: {path} will be "
                  f"renamed to {new}.", stacklevel=4)
    return new


def _vars_groups(f: h5py.File) -> list[h5py.Group]:
    """Every group named ``vars`` holding datasets, parents before children, siblings in name order."""
    found: list[h5py.Group] = []

    def visit(group: h5py.Group) -> None:
        if group.name.rsplit("/", 1)[-1] == "vars" and any(isinstance(v, h5py.Dataset) for v in group.values()):
            found.append(group)
        for key in group:
            item = group[key]
            if isinstance(item, h5py.Group):
                visit(item)

    visit(f)
    return found


def _ensure_group(f: h5py.File, name: str, source: h5py.File) -> h5py.Group:
    """``name`` (with its parents) in ``f``, attributes copied from the same groups of ``source``."""
    group = f
    parts = [p for p in name.split("/") if p]
    for i in range(len(parts)):
        path = "/" + "/".join(parts[:i + 1])
        if parts[i] not in group:
            new = group.create_group(parts[i])
            for key, value in source[path].attrs.items():
                new.attrs[key] = value
        group = group[parts[i]]
    return group


def _copy_skeleton(source: h5py.File, target: h5py.File) -> None:
    for key, value in source.attrs.items():
        target.attrs[key] = value

    def visit(name: str, item) -> None:
        if isinstance(item, h5py.Group):
            _ensure_group(target, item.name, source)

    source.visititems(visit)


def save_sharded(model, path: str, max_shard_size: float) -> str:
    """Write ``model``'s weights as a Keras 3 sharded set; returns the index path written."""
    try:
        limit = float(max_shard_size) * _GB
    except (TypeError, ValueError):
        raise TypeError(f"`max_shard_size` must be a number of GB (int or float). Received: "
                        f"max_shard_size={max_shard_size!r}") from None
    if limit <= 0:
        raise ValueError(f"`max_shard_size` must be positive (GB). Received: max_shard_size={max_shard_size!r}")
    path = index_path(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)[:-len(".json")].replace(".weights", "")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as full:
        keras_v3.write_model(full, model, include_optimizer=True)
    shards: list[io.BytesIO] = []
    weight_map: dict[str, str | list[str]] = {}
    total = 0.0
    with h5py.File(buffer, "r") as full:
        current_size = 0.0

        def new_shard() -> h5py.File:
            shards.append(io.BytesIO())
            return h5py.File(shards[-1], "w")

        current = new_shard()
        _copy_skeleton(full, current)
        try:
            for group in _vars_groups(full):
                for key in sorted(group, key=file_utils.natural_key):
                    dataset = group[key]
                    if not isinstance(dataset, h5py.Dataset):
                        continue
                    size = float(dataset.size * dataset.dtype.itemsize)
                    total += size
                    if size > limit:
                        raise ValueError(f"The size of {group.name}/{key} is {_readable(size)}, which exceeds the "
                                         f"maximum shard size {_readable(limit)}. Increase `max_shard_size` (GB).")
                    current_size += size
                    if current_size > limit:
                        current.close()
                        current = new_shard()
                        current_size = size
                    target = _ensure_group(current, group.name, full)
                    target.create_dataset(key, data=dataset[()])
                    filename = f"{base}_{len(shards) - 1:05}.weights.h5"
                    entry = weight_map.get(group.name)
                    if entry is None:
                        weight_map[group.name] = filename
                    elif isinstance(entry, list):
                        if filename not in entry:
                            entry.append(filename)
                    elif entry != filename:
                        weight_map[group.name] = [entry, filename]
        finally:
            current.close()
    os.makedirs(folder, exist_ok=True)
    for i, shard in enumerate(shards):
        with file_utils.atomic_path(os.path.join(folder, f"{base}_{i:05}.weights.h5")) as tmp:
            with open(tmp, "wb") as shard_file:
                shard_file.write(shard.getvalue())
    with file_utils.atomic_path(path) as tmp:
        with open(tmp, "w") as index_file:
            json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, index_file, indent=4)
    return path


def is_sharded_index(path: str) -> bool:
    """Whether ``path`` is a JSON file shaped like a Keras sharded-weights index."""
    if not path.lower().endswith(".json") or not os.path.isfile(path):
        return False
    if file_utils.file_size(path) > file_utils.MAX_JSON_BYTES:
        return False
    try:
        with open(path, "rb") as f:
            data = json.loads(f.read())
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and isinstance(data.get("weight_map"), dict)


def merge_shards(path: str, safe_mode: bool | None = None) -> bytes:
    """The shards listed in the index at ``path``, merged into one Keras 3 weights file (bytes)."""
    with open(path, "rb") as f:
        index = file_utils.load_json(f.read(), f"the sharded-weights index {path!r}")
    weight_map = index.get("weight_map") if isinstance(index, dict) else None
    if not isinstance(weight_map, dict):
        raise FileFormatError(f"{path!r} is not a sharded-weights index (no 'weight_map' object).")
    folder = os.path.dirname(os.path.abspath(path))
    names: list[str] = []
    for entry in weight_map.values():
        for name in entry if isinstance(entry, list) else [entry]:
            if not isinstance(name, str) or os.path.basename(name) != name or name in ("", ".", ".."):
                raise FileFormatError(f"The index {path!r} names a shard outside its folder: {name!r}. Shards "
                                      "must be plain file names next to the index.")
            if name not in names:
                names.append(name)
    names.sort(key=file_utils.natural_key)
    if not names:
        raise FileFormatError(f"The sharded-weights index {path!r} lists no shard files.")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as merged:
        for name in names:
            shard_path = os.path.join(folder, name)
            if not os.path.isfile(shard_path):
                raise FileNotFoundError(f"Shard {name!r} listed in {path!r} was not found next to it.")
            shard = file_utils.open_h5(shard_path, safe_mode=safe_mode)
            try:
                with file_utils.reading(shard_path, "read the weights shard"):
                    _copy_skeleton(shard, merged)

                    def copy(item_name: str, item, shard=shard) -> None:
                        if isinstance(item, h5py.Dataset):
                            parent, _, key = item.name.rpartition("/")
                            group = _ensure_group(merged, parent, shard)
                            if key in group:
                                raise FileFormatError(f"{item.name} appears in more than one shard of {path!r}.")
                            group.create_dataset(key, data=item[()])

                    shard.visititems(copy)
            finally:
                shard.close()
    return buffer.getvalue()
