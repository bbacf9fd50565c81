"""The Keras 3 formats: ``.weights.h5`` and the ``.keras`` zip archive.

A ``.weights.h5`` file mirrors Keras 3's object tree::

    layers/<snake_case(class)[_k]>/vars/{0,1,...}   @name = the layer's name
        .../<sublayer attribute>/vars/...            (a recurrent layer's cell, a wrapper's layer...)
        .../layers/...                               (nested Sequential / Functional)
    vars/                                            the model's own variables
    optimizer/vars/{0,1,...}                         (compiled models)

Subclassed models keep each sublayer under its attribute name instead of ``layers/``.

Where a layer's weights (its ``get_weights()`` list, Keras order) sit in that tree is the
layer's own knowledge: ``layer._keras3_tree()`` returns a ``Layout``. Writing splits the
list along it; reading gathers a group's arrays back in that order.
"""
from __future__ import annotations

import datetime
import io
import json
import warnings
import zipfile
from typing import NamedTuple

import h5py
import numpy as np
import torch

from kerastorch.layers.file_formats import Layout, group_names, public_attr
from kerastorch.layers.layer import Layer, _assign_weight
from kerastorch.layers.operation_layers import is_operation_layer
from kerastorch.models.functional import Functional
from kerastorch.models.model import Model
from kerastorch.models.sequential import Sequential
from kerastorch.saving import archive_safety, file_utils, optimizer_state, zip_member
from kerastorch.saving.file_utils import FileFormatError
from kerastorch.saving.formats import keras_v3_assets, legacy_h5

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"


class Tree(NamedTuple):
    """One group of a Keras 3 weights file: its variables, ``name`` attribute and sub-groups.

    ``named`` holds the datasets of ``vars`` with names, not numbers: what a layer's
    ``save_own_variables`` writes besides its weights (the lookup layers' ``idf_weights``).
    """
    arrays: list
    name: str | None
    children: dict
    named: dict | None = None


def _count(layer) -> int:
    return len(layer._weight_slots()) if isinstance(layer, Layer) else \
        sum(1 for _ in layer.parameters()) + sum(1 for _ in layer.buffers())


def _is_model_container(layer) -> bool:
    return isinstance(layer, (Functional, Sequential))


# --------------------------------------------------------------------- reading
def read_tree(group, path, size: int) -> Tree:
    """Every variable under a Keras 3 weights group, as nested ``Tree``s (read fully, guarded)."""
    budget = file_utils.read_budget(size)
    counter = [0]
    with file_utils.reading(path, "read the weights of"):
        return _read_node(group, budget, 0, counter, "/")


def _read_node(group, budget, depth, counter, where) -> Tree:
    if depth > file_utils.MAX_GROUP_DEPTH:
        raise FileFormatError(f"Groups are nested more than {file_utils.MAX_GROUP_DEPTH} levels deep at {where}.")
    arrays, name, children, named = [], None, {}, {}
    for key in list(group.keys()):
        counter[0] += 1
        if counter[0] > file_utils.MAX_GROUP_NODES:
            raise FileFormatError("The file holds too many groups.")
        item = group.get(key)
        if item is None:
            raise FileFormatError(f"{where}{key} cannot be read (broken link).")
        if key == "vars":
            if not isinstance(item, h5py.Group):
                raise FileFormatError(f"{where}vars should be a group.")
            name_attr = item.attrs.get("name")
            name = file_utils.decode(name_attr) if name_attr is not None else None
            keys = list(item.keys())
            for k in sorted((k for k in keys if k.isdigit()), key=int):
                arrays.append(file_utils.read_array(item[k], budget, f"Variable {where}vars/{k}"))
            for k in sorted(k for k in keys if not k.isdigit()):  # save_own_variables entries (idf_weights)
                if not isinstance(item[k], h5py.Dataset):
                    raise FileFormatError(f"{where}vars/{k} should be a dataset.")
                named[k] = file_utils.read_array(item[k], budget, f"Variable {where}vars/{k}")
        elif isinstance(item, h5py.Group):
            children[key] = _read_node(item, budget, depth + 1, counter, f"{where}{key}/")
    return Tree(arrays, name, children, named)


def is_keras3_weights(f) -> bool:
    if "layers" in f or "vars" in f:
        return True
    # A subclassed model: top-level groups named after attributes, each with vars/.
    return any(isinstance(f.get(k), h5py.Group) and "vars" in f[k] for k in list(f.keys())[:1000])


def flatten(tree: Tree, layout: Layout | None) -> list:
    """The arrays of a group in the order of ``layout`` (then any other sub-groups, by name)."""
    arrays = list(tree.arrays)
    ordered = []
    sub_layouts = {}
    if layout is not None:
        for key, sub in layout.children:
            sub_layouts[key] = sub
            if key in tree.children:
                ordered.append(key)
            elif "_" + key in tree.children:
                ordered.append("_" + key)
                sub_layouts["_" + key] = sub
    rest = sorted((k for k in tree.children if k not in ordered), key=file_utils.natural_key)
    for key in ordered + rest:
        arrays += flatten(tree.children[key], sub_layouts.get(key))
    return arrays


def _saveable_layers(model) -> list:
    return [layer for layer in model.layers if not is_operation_layer(layer)]


def load_into_model(model, tree: Tree, file_label: str, by_name: bool = False, skip_mismatch: bool = False,
                    _prefix: str = "") -> None:
    """Apply a Keras 3 weights tree to ``model``."""
    if _is_model_container(model):
        layers = _saveable_layers(model)
        container = tree.children.get("layers")
        if container is None:
            if any(_count(l) for l in layers):
                raise ValueError(f"{file_label} has no 'layers' group for model \"{model.name}\": it was not "
                                 "saved from a Sequential or functional model.")
            return
        if by_name:
            by_group_name = {sub.name: sub for sub in container.children.values() if sub.name}
            for layer in layers:
                sub = by_group_name.get(layer.name)
                if sub is not None:
                    _load_layer(layer, sub, file_label, by_name, skip_mismatch, f"{_prefix}layers/?")
            return
        names = group_names(layers)
        for layer, gname in zip(layers, names):
            sub = container.children.get(gname)
            if sub is None:
                if _count(layer) == 0:
                    continue
                msg = (f"{file_label} has no weights for layer \"{layer.name}\" (expected the group "
                       f"{_prefix}layers/{gname}).")
                if skip_mismatch:
                    warnings.warn("Skipping: " + msg, stacklevel=2)
                    continue
                raise ValueError(msg)
            _load_layer(layer, sub, file_label, by_name, skip_mismatch, f"{_prefix}layers/{gname}")
        return
    if isinstance(model, Model):
        own = model._own_weight_entries() if hasattr(model, "_own_weight_entries") else []
        if own:
            _assign_own(model, tree.arrays, file_label, skip_mismatch)
        container = tree.children.get("layers")
        children = [(attr, child) for attr, child in model._modules.items() if child is not None]
        for i, (attr, child) in enumerate(children):
            sub = tree.children.get(public_attr(model, attr, child)) or tree.children.get(attr)
            if sub is None and container is not None:
                names = group_names([c for _, c in children])
                sub = container.children.get(names[i])
            if sub is None:
                if _count(child) == 0:
                    continue
                msg = f"{file_label} has no weights for sublayer {attr!r} of model \"{model.name}\"."
                if skip_mismatch:
                    warnings.warn("Skipping: " + msg, stacklevel=2)
                    continue
                raise ValueError(msg)
            _load_layer(child, sub, file_label, by_name, skip_mismatch, f"{_prefix}{attr}")
        return
    _load_layer(model, tree, file_label, by_name, skip_mismatch, _prefix or "/")


def _load_layer(layer, tree: Tree, file_label, by_name, skip_mismatch, where) -> None:
    if isinstance(layer, Model):
        load_into_model(layer, tree, file_label, by_name, skip_mismatch, where + "/")
        return
    if not isinstance(layer, Layer):
        _load_plain_module(layer, tree, file_label, where)
        return
    if getattr(layer, "_weights_in_own_variables", False):
        return  # TorchModuleWrapper: its state_dict entries are named; load_own_variables reads them
    arrays = flatten(tree, layer._keras3_tree())
    from_file_weights = getattr(layer, "_from_file_weights", None)
    if from_file_weights is not None:  # LoRA layers: the file has the merged kernel, no factors
        arrays = from_file_weights(arrays)
    expected = len(layer._weight_slots())
    label = f'layer "{layer.name}" (group {where})'
    if len(arrays) != expected:
        msg = (f"Weight count mismatch for {label} when loading {file_label}: the layer expects "
               f"{expected} weight(s), the file has {len(arrays)}.")
        if skip_mismatch:
            warnings.warn("Skipping loading weights: " + msg, stacklevel=3)
            return
        raise ValueError(msg)
    legacy_h5.assign(layer, arrays, label, file_label, skip_mismatch)


def _assign_own(model, arrays, file_label, skip_mismatch):
    own = model._own_weight_entries()
    if len(own) != len(arrays):
        msg = f"Model \"{model.name}\" has {len(own)} own variables, {file_label} has {len(arrays)}."
        if skip_mismatch:
            warnings.warn(msg, stacklevel=3)
            return
        raise ValueError(msg)
    for (attr, _, _), value in zip(own, arrays):
        _assign_weight(model, attr, value, model._slot_name(model, attr))


def _load_plain_module(module, tree: Tree, file_label, where):
    params = list(module.parameters()) + [b for b in module.buffers() if b.is_floating_point()]
    arrays = flatten(tree, None)
    if len(arrays) != len(params):
        raise ValueError(f"Weight count mismatch for module {where} when loading {file_label}: expected "
                         f"{len(params)}, found {len(arrays)}.")
    with torch.no_grad():
        for p, a in zip(params, arrays):
            if tuple(p.shape) != tuple(a.shape):
                raise ValueError(f"Shape mismatch for module {where} when loading {file_label}: expected "
                                 f"{tuple(p.shape)}, found {tuple(a.shape)}.")
            p.copy_(torch.as_tensor(a, dtype=p.dtype))


# --------------------------------------------------------------------- writing
def write_model(group, model, include_optimizer: bool = True) -> None:
    """``model``'s weights (and optimizer variables) into an open HDF5 group, Keras 3 layout."""
    _write_model(group, model)
    keras_v3_assets.write_own_variables(group, model)
    opt = getattr(model, "optimizer", None)
    if include_optimizer and opt is not None and getattr(opt, "built", False):
        g = group.create_group("optimizer").create_group("vars")
        g.attrs["name"] = str(getattr(opt, "name", "optimizer"))
        for i, v in enumerate(optimizer_state.keras_layout_values(model, opt)):
            g.create_dataset(str(i), data=v)


def _write_model(group, model) -> None:
    if isinstance(model, Layer) and not isinstance(model, Model):
        # A layer saved on its own (keras.utils.FeatureSpace.save): its weights from the root, as loading reads them.
        _write_layer(group, model)
        return
    own_vars = group.create_group("vars")
    own_vars.attrs["name"] = model.name
    if hasattr(model, "_own_weight_entries"):
        for i, (attr, _, _) in enumerate(model._own_weight_entries()):
            own_vars.create_dataset(str(i), data=model._weight_to_keras(attr, getattr(model, attr))
                                    .detach().cpu().numpy())
    if _is_model_container(model):
        container = group.create_group("layers")
        layers = _saveable_layers(model)
        for layer, gname in zip(layers, group_names(layers)):
            _write_layer(container.create_group(gname), layer)
        return
    if isinstance(model, Model):
        for attr, child in model._modules.items():
            if child is not None:
                _write_layer(group.create_group(public_attr(model, attr, child)), child)


def _write_layer(group, layer) -> None:
    if isinstance(layer, Model):
        _write_model(group, layer)
        return
    if not isinstance(layer, Layer):
        g = group.create_group("vars")
        g.attrs["name"] = type(layer).__name__
        params = list(layer.parameters()) + [b for b in layer.buffers() if b.is_floating_point()]
        for i, p in enumerate(params):
            g.create_dataset(str(i), data=p.detach().cpu().numpy())
        return
    values = layer.get_weights()
    to_file_weights = getattr(layer, "_to_file_weights", None)
    if to_file_weights is not None:  # LoRA layers write the merged kernel and no factors, as Keras
        values = to_file_weights(values)
    _write_layout(group, layer._keras3_tree(), iter(values))


def _write_layout(group, layout: Layout, values) -> None:
    g = group.create_group("vars")
    g.attrs["name"] = layout.name
    for i in range(layout.own):
        g.create_dataset(str(i), data=next(values))
    for key, sub in layout.children:
        _write_layout(group.create_group(key), sub, values)


# --------------------------------------------------------------------- .keras archives
def write_archive(fileobj, model, config: dict, version: str, include_optimizer: bool = True) -> None:
    metadata = {"keras_version": version, "producer": "kerastorch",
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_model(f, model, include_optimizer=include_optimizer)
    with zipfile.ZipFile(fileobj, "w") as zf:
        zf.writestr(METADATA_FILENAME, json.dumps(metadata))
        zf.writestr(CONFIG_FILENAME, json.dumps(config, default=_json_default))
        zf.writestr(WEIGHTS_FILENAME, buffer.getvalue())
        keras_v3_assets.write_assets(zf, model)


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def read_archive(path):
    """(config dict or None, weights as bytes or a read-only file object) of a ``.keras`` archive."""
    with file_utils.reading(path, "read the .keras archive"):
        with zipfile.ZipFile(path) as zf:
            archive_safety.check_archive(zf, path)
            names = zf.namelist()
            if WEIGHTS_FILENAME not in names:
                if "model.weights.npz" in names:
                    raise FileFormatError(f"{file_utils.describe(path)} stores its weights as .npz, which "
                                          "kerastorch does not read.")
                raise FileFormatError(f"{file_utils.describe(path)} is a zip file without {WEIGHTS_FILENAME}: "
                                      "it is not a .keras model archive.")
            config = None
            if CONFIG_FILENAME in names:
                info = zf.getinfo(CONFIG_FILENAME)
                if info.file_size > file_utils.MAX_JSON_BYTES:
                    raise FileFormatError(f"{CONFIG_FILENAME} in {file_utils.describe(path)} is too large.")
                config = file_utils.load_json(zf.read(CONFIG_FILENAME), f"{CONFIG_FILENAME} of "
                                              f"{file_utils.describe(path)}")
            info = zf.getinfo(WEIGHTS_FILENAME)
            if info.file_size > 64 * max(file_utils.file_size(path), 1) + (1 << 20) and info.compress_type == 0:
                raise FileFormatError(f"{WEIGHTS_FILENAME} in {file_utils.describe(path)} claims an implausible size.")
            # A file-like window over the stored member (no in-memory copy), or bytes if compressed.
            weights = zip_member.open_member(path, zf, WEIGHTS_FILENAME)
    return config, weights


def restore_optimizer(model, tree: Tree, file_label: str) -> None:
    """Optimizer variables from ``optimizer/vars`` into the compiled model's optimizer."""
    opt = getattr(model, "optimizer", None)
    node = tree.children.get("optimizer")
    if opt is None or node is None or not node.arrays:
        return
    try:
        if not getattr(opt, "built", False):
            opt.build(model.trainable_weights)
        optimizer_state.set_from_keras_layout(model, opt, node.arrays)
    except (ValueError, TypeError, AttributeError) as e:
        warnings.warn(f"Could not restore the optimizer state from {file_label} ({e}); the optimizer starts "
                      "fresh.", stacklevel=3)
