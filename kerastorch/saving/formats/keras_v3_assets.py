"""Layer state outside the numbered variables of a ``.keras`` archive: assets and named extras.

Keras 3's saver walks the model's object tree and, for every object at inner path ``p``
(``layers/text_vectorization``, ``layers/text_vectorization/_lookup_layer``, ...), calls

* ``save_own_variables(store)``: the store is the HDF5 group ``p/vars``; a layer with
  state that is not a weight (the lookup layers' ``idf_weights``) writes named datasets there;
* ``save_assets(dir)``: ``dir`` is ``assets/p`` of the archive (a temporary folder that is
  zipped member by member); the lookup layers write ``vocabulary.txt`` there.

Both are called again when loading, with the same paths. The paths are the weights
file's group paths (``saveable_paths``): container models' layers under
``layers/<snake_case(class)[_k]>``, a subclassed model's sublayers and a layer's
sublayers under their attribute names (the public property name where a private
attribute has one), each object once. Keras calls these methods on every layer that has
them, so a text vectorization layer's vocabulary is in its own folder and again in its
``_lookup_layer``'s, as Keras writes it.

Loading never extracts the archive: only members under ``assets/<p>/`` of a layer that
has ``load_assets`` are copied into a private temporary folder, after the archive checks
(no escaping names, no bombs) and a second check that each target stays in that folder.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from typing import Any

import numpy as np
from torch import nn

from kerastorch.layers.file_formats import group_names, public_attr
from kerastorch.layers.layer import Layer
from kerastorch.layers.operation_layers import is_operation_layer
from kerastorch.models.functional import Functional
from kerastorch.models.sequential import Sequential
from kerastorch.saving import archive_safety
from kerastorch.saving.file_utils import FileFormatError

ASSETS_DIRNAME = "assets"


def saveable_paths(model: Any) -> Iterator[tuple[str, Any]]:
    """``(inner path, layer)`` for the model and every layer below it, in Keras's order, each layer once."""
    seen: set[int] = set()
    yield from _walk(model, "", seen)


def _walk(obj: Any, path: str, seen: set[int]) -> Iterator[tuple[str, Any]]:
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield path, obj
    if _is_container_model(obj):
        layers = [layer for layer in obj.layers if not is_operation_layer(layer)]
        for layer, name in zip(layers, group_names(layers)):
            yield from _walk(layer, _join(path, "layers", name), seen)
        return
    for attr, child in obj._modules.items():
        if child is None:
            continue
        if isinstance(child, (nn.ModuleList, nn.ModuleDict)):
            items = list(child.values()) if isinstance(child, nn.ModuleDict) else list(child)
            group = attr[1:] if attr.startswith("_") and not attr.startswith("__") else attr
            for item, name in zip(items, group_names(items)):
                yield from _walk(item, _join(path, group, name), seen)
        elif isinstance(child, Layer):
            yield from _walk(child, _join(path, public_attr(obj, attr, child)), seen)


def _is_container_model(obj: Any) -> bool:
    return isinstance(obj, (Functional, Sequential))


def _join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


# ------------------------------------------------------------------- named variables (save/load_own_variables)
def write_own_variables(h5_root: Any, model: Any) -> None:
    """Named datasets of every layer's ``save_own_variables`` into ``<path>/vars`` of the weights file."""
    for path, layer in saveable_paths(model):
        save_own_variables = getattr(layer, "save_own_variables", None)
        if save_own_variables is None or not isinstance(layer, Layer):
            continue
        store: dict = {}
        save_own_variables(store)
        if not store:
            continue
        group = h5_root.require_group(_join(path, "vars"))
        if "name" not in group.attrs:
            group.attrs["name"] = layer.name
        for key, value in store.items():
            group.create_dataset(str(key), data=np.asarray(value))


def load_own_variables(model: Any, tree: Any) -> None:
    """Hand each layer with ``load_own_variables`` the named datasets of its ``vars`` group."""
    for path, layer in saveable_paths(model):
        load_own_variables = getattr(layer, "load_own_variables", None)
        if load_own_variables is None or not isinstance(layer, Layer):
            continue
        node = tree
        for part in [p for p in path.split("/") if p]:
            node = node.children.get(part) if node is not None else None
        named = getattr(node, "named", None) or {}
        if named:
            load_own_variables(dict(named))


# ------------------------------------------------------------------- assets
def write_assets(zf: zipfile.ZipFile, model: Any) -> None:
    """Call ``save_assets`` of each layer that has it and store the files as ``assets/<path>/...``."""
    owners = [(path, layer) for path, layer in saveable_paths(model) if hasattr(layer, "save_assets")]
    if not owners:
        return
    root = tempfile.mkdtemp(prefix="kerastorch_assets_")
    try:
        for path, layer in owners:
            folder = os.path.join(root, *path.split("/")) if path else root
            os.makedirs(folder, exist_ok=True)
            layer.save_assets(folder)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for filename in sorted(filenames):
                full = os.path.join(dirpath, filename)
                relative = os.path.relpath(full, root).replace(os.sep, "/")
                zf.write(full, f"{ASSETS_DIRNAME}/{relative}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def load_assets(path: Any, model: Any) -> None:
    """Call ``load_assets(folder)`` of each layer whose ``assets/<path>/`` holds files in the archive at ``path``."""
    owners = [(p, layer) for p, layer in saveable_paths(model) if hasattr(layer, "load_assets")]
    if not owners:
        return
    with zipfile.ZipFile(path) as zf:
        archive_safety.check_archive(zf, path)
        members = [info for info in zf.infolist()
                   if info.filename.startswith(ASSETS_DIRNAME + "/") and not info.is_dir()]
        if not members:
            return  # as Keras: an archive without assets loads no assets
        root = tempfile.mkdtemp(prefix="kerastorch_assets_")
        try:
            real_root = os.path.realpath(root)
            for inner, layer in owners:
                prefix = f"{ASSETS_DIRNAME}/{inner}/" if inner else f"{ASSETS_DIRNAME}/"
                mine = [info for info in members if info.filename.startswith(prefix)]
                if not mine:
                    continue
                folder = os.path.join(root, *inner.split("/")) if inner else root
                real_folder = os.path.realpath(os.path.join(root, *inner.split("/")))
                for info in mine:  # the layer's folder as Keras hands it over: its files and sub-folders
                    relative = info.filename[len(prefix):]
                    target = os.path.realpath(os.path.join(folder, *relative.split("/")))
                    if archive_safety.escapes(info.filename) or not target.startswith(real_folder + os.sep) \
                            or not target.startswith(real_root + os.sep):
                        raise FileFormatError(f"Asset {info.filename!r} in {path!r} points outside its folder.")
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    if not os.path.exists(target):
                        with zf.open(info) as src, open(target, "wb") as dst:
                            shutil.copyfileobj(src, dst)
                layer.load_assets(folder)
        finally:
            shutil.rmtree(root, ignore_errors=True)
