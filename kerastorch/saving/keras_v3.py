"""The Keras 3 formats: ``.weights.h5`` and the ``.keras`` zip archive.

A ``.weights.h5`` file mirrors Keras 3's object tree::

    layers/<snake_case(class)[_k]>/vars/{0,1,...}   @name = the layer's name
        .../cell/vars/...                            (RNN layers: the cell's variables)
        .../forward_layer/..., backward_layer/...    (Bidirectional)
        .../layer/...                                (TimeDistributed and other wrappers)
        .../query_dense/, key_dense/, value_dense/, output_dense/   (MultiHeadAttention)
        .../layers/...                               (nested Sequential / Functional)
    vars/                                            the model's own variables
    optimizer/vars/{0,1,...}                         (compiled models)

Subclassed models keep each sublayer under its attribute name instead of ``layers/``.

kerastorch layers do not have to be built like Keras's (an LSTM may have no
``cell`` sublayer): each layer's ``get_weights()`` list (Keras order) is split into
this tree by the per-class rules below, and a group's arrays are gathered back
into that order when reading.
"""
from __future__ import annotations

import io
import json
import re
import warnings
import zipfile
from typing import NamedTuple

import numpy as np

from kerastorch.saving import file_utils
from kerastorch.saving.file_utils import FileFormatError

CONFIG_FILENAME = "config.json"
METADATA_FILENAME = "metadata.json"
WEIGHTS_FILENAME = "model.weights.h5"

_RNN_CELL_NAMES = {"LSTM": "lstm_cell", "GRU": "gru_cell", "SimpleRNN": "simple_rnn_cell",
                   "ConvLSTM1D": "conv_lstm_cell", "ConvLSTM2D": "conv_lstm_cell", "ConvLSTM3D": "conv_lstm_cell"}
_WRAPPERS = {"TimeDistributed", "Wrapper"}
_MHA_PARTS = (("query_dense", "query"), ("key_dense", "key"), ("value_dense", "value"),
              ("output_dense", "attention_output"))


class Tree(NamedTuple):
    """One group of a Keras 3 weights file: its variables, ``name`` attribute and sub-groups."""
    arrays: list
    name: str | None
    children: dict


class Layout(NamedTuple):
    """How a layer's flat weight list maps onto the Keras 3 object tree."""
    name: str
    own: int
    children: list  # [(group name, Layout)]


# --------------------------------------------------------------------- layouts
def _snake(name: str) -> str:
    """Keras 3's ``to_snake_case`` (``Conv2D`` -> ``conv2d``, ``ReLU`` -> ``re_lu``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _count(layer) -> int:
    return len(layer._weight_slots()) if hasattr(layer, "_weight_slots") else \
        sum(1 for _ in layer.parameters()) + sum(1 for _ in layer.buffers())


def _is_model_container(layer) -> bool:
    from kerastorch.models.functional import Functional
    from kerastorch.models.sequential import Sequential
    return isinstance(layer, (Functional, Sequential))


def layout_of(layer, count: int | None = None, class_name: str | None = None, config: dict | None = None) -> Layout:
    """The Keras 3 object-tree layout of ``layer`` (or of a config-described layer when ``layer`` is None)."""
    from kerastorch.layers.layer import Layer
    cls = class_name or type(layer).__name__
    n = _count(layer) if count is None and layer is not None else (count or 0)
    name = getattr(layer, "name", None) or (config or {}).get("name") or _snake(cls)
    sub_cell = getattr(layer, "cell", None) if layer is not None else None
    if cls in _RNN_CELL_NAMES and not isinstance(sub_cell, Layer):
        return Layout(name, 0, [("cell", Layout(_RNN_CELL_NAMES[cls], n, []))])
    if cls == "Bidirectional":
        cfg = config if config is not None else _safe_config(layer)
        inner = cfg.get("layer") or {}
        parts = []
        for attr, direction in (("forward_layer", "forward"), ("backward_layer", "backward")):
            sub = getattr(layer, attr, None) if layer is not None else None
            if isinstance(sub, Layer):
                parts.append((attr, layout_of(sub)))
            else:
                inner_cls = inner.get("class_name", "LSTM")
                parts.append((attr, layout_of(None, n // 2, inner_cls,
                                              {"name": f"{direction}_{(inner.get('config') or {}).get('name', '')}"})))
        return Layout(name, 0, parts)
    if cls in _WRAPPERS:
        sub = getattr(layer, "layer", None) if layer is not None else None
        if isinstance(sub, Layer):
            return Layout(name, 0, [("layer", layout_of(sub))])
        inner = (config if config is not None else _safe_config(layer)).get("layer") or {}
        return Layout(name, 0, [("layer", layout_of(None, n, inner.get("class_name", ""), inner.get("config")))])
    if cls == "MultiHeadAttention" and layer is not None and not isinstance(getattr(layer, "query_dense", None), Layer) \
            and not isinstance(getattr(layer, "_query_dense", None), Layer):
        k = n // 4
        return Layout(name, 0, [(group, Layout(sub, k, [])) for group, sub in _MHA_PARTS])
    if layer is None:
        return Layout(name, n, [])
    return _module_layout(layer, name)


def _safe_config(layer) -> dict:
    try:
        cfg = layer.get_config()
        return cfg if isinstance(cfg, dict) else {}
    except Exception:  # noqa: BLE001
        return {}


def _module_layout(layer, name: str) -> Layout:
    """Layout mirroring the layer's own module tree: own variables, then sublayers by attribute name."""
    from torch import nn

    from kerastorch.layers.layer import Layer
    own = len(layer._own_weight_entries()) if hasattr(layer, "_own_weight_entries") else 0
    children = []
    containers = []
    for attr, child in layer._modules.items():
        if child is None:
            continue
        if isinstance(child, (nn.ModuleList, nn.ModuleDict)):
            containers.append((attr, child))
            continue
        children.append((_public_attr(layer, attr, child), _child_layout(child)))
    for attr, container in containers:
        items = container.values() if isinstance(container, nn.ModuleDict) else list(container)
        used: dict[str, int] = {}
        sub = []
        for item in items:
            base = _snake(type(item).__name__)
            if base in used:
                used[base] += 1
                key = f"{base}_{used[base]}"
            else:
                used[base] = 0
                key = base
            sub.append((key, _child_layout(item)))
        children.append((attr.lstrip("_") if attr.startswith("_") and not attr.startswith("__") else attr,
                         Layout(attr, 0, sub)))
    del Layer
    return Layout(name, own, children)


def _public_attr(layer, attr: str, child) -> str:
    """Keras 3 names the group after the public property when a private attribute has one."""
    if attr.startswith("_") and not attr.startswith("__"):
        public = attr[1:]
        try:
            if getattr(type(layer), public, None) is not None and getattr(layer, public, None) is child:
                return public
        except Exception:  # noqa: BLE001
            pass
    return attr


def _child_layout(child) -> Layout:
    from kerastorch.layers.layer import Layer
    if isinstance(child, Layer):
        return layout_of(child)
    n = sum(1 for _ in child.parameters()) + sum(1 for b in child.buffers() if b.is_floating_point())
    return Layout(type(child).__name__, n, [])


# --------------------------------------------------------------------- reading
def read_tree(group, path, size: int) -> Tree:
    """Every variable under a Keras 3 weights group, as nested ``Tree``s (read fully, guarded)."""
    budget = file_utils.read_budget(size)
    counter = [0]
    with file_utils.reading(path, "read the weights of"):
        return _read_node(group, budget, 0, counter, "/")


def _read_node(group, budget, depth, counter, where) -> Tree:
    import h5py
    if depth > file_utils.MAX_GROUP_DEPTH:
        raise FileFormatError(f"Groups are nested more than {file_utils.MAX_GROUP_DEPTH} levels deep at {where}.")
    arrays, name, children = [], None, {}
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
            bad = [k for k in keys if not k.isdigit()]
            if bad:
                raise FileFormatError(f"{where}vars holds {bad[:3]}: Keras 3 variables are numbered 0, 1, ...")
            for k in sorted(keys, key=int):
                arrays.append(file_utils.read_array(item[k], budget, f"Variable {where}vars/{k}"))
        elif isinstance(item, h5py.Group):
            children[key] = _read_node(item, budget, depth + 1, counter, f"{where}{key}/")
    return Tree(arrays, name, children)


def is_keras3_weights(f) -> bool:
    import h5py
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


def layer_group_names(layers: list) -> list[str]:
    """Keras 3's names for a list of layers: snake_case(class), de-duplicated with _1, _2..."""
    used: dict[str, int] = {}
    names = []
    for layer in layers:
        base = _snake(type(layer).__name__)
        if base in used:
            used[base] += 1
            names.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            names.append(base)
    return names


def _saveable_layers(model) -> list:
    from kerastorch.saving.op_layers import is_op_layer
    return [layer for layer in model.layers if not is_op_layer(layer)]


def load_into_model(model, tree: Tree, file_label: str, by_name: bool = False, skip_mismatch: bool = False,
                    _prefix: str = "") -> None:
    """Apply a Keras 3 weights tree to ``model``."""
    from kerastorch.models.model import Model
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
        names = layer_group_names(layers)
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
            sub = tree.children.get(_public_attr(model, attr, child)) or tree.children.get(attr)
            if sub is None and container is not None:
                names = layer_group_names([c for _, c in children])
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
    from kerastorch.layers.layer import Layer
    from kerastorch.saving import legacy_h5
    if _is_model(layer):
        load_into_model(layer, tree, file_label, by_name, skip_mismatch, where + "/")
        return
    if not isinstance(layer, Layer):
        _load_plain_module(layer, tree, file_label, where)
        return
    arrays = flatten(tree, layout_of(layer))
    expected = [tuple(w.shape) for w in layer.get_weights()]
    label = f'layer "{layer.name}" (group {where})'
    if len(arrays) != len(expected):
        msg = (f"Weight count mismatch for {label} when loading {file_label}: the layer expects "
               f"{len(expected)} weight(s), the file has {len(arrays)}.")
        if skip_mismatch:
            warnings.warn("Skipping loading weights: " + msg, stacklevel=3)
            return
        raise ValueError(msg)
    legacy_h5.assign(layer, arrays, label, file_label, skip_mismatch)


def _is_model(layer) -> bool:
    from kerastorch.models.model import Model
    return isinstance(layer, Model)


def _assign_own(model, arrays, file_label, skip_mismatch):
    from kerastorch.layers.layer import _assign_weight
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
    import torch
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
    opt = getattr(model, "optimizer", None)
    if include_optimizer and opt is not None and getattr(opt, "built", False):
        g = group.create_group("optimizer").create_group("vars")
        g.attrs["name"] = str(getattr(opt, "name", "optimizer"))
        from kerastorch.saving.optimizer_state import keras_layout_values
        for i, v in enumerate(keras_layout_values(model, opt)):
            g.create_dataset(str(i), data=v)


def _write_model(group, model) -> None:
    from kerastorch.models.model import Model
    own_vars = group.create_group("vars")
    own_vars.attrs["name"] = model.name
    if hasattr(model, "_own_weight_entries"):
        for i, (attr, _, _) in enumerate(model._own_weight_entries()):
            own_vars.create_dataset(str(i), data=model._weight_to_keras(attr, getattr(model, attr))
                                    .detach().cpu().numpy())
    if _is_model_container(model):
        container = group.create_group("layers")
        layers = _saveable_layers(model)
        for layer, gname in zip(layers, layer_group_names(layers)):
            _write_layer(container.create_group(gname), layer)
        return
    if isinstance(model, Model):
        for attr, child in model._modules.items():
            if child is not None:
                _write_layer(group.create_group(_public_attr(model, attr, child)), child)


def _write_layer(group, layer) -> None:
    from kerastorch.layers.layer import Layer
    if _is_model_container(layer) or (_is_model(layer)):
        _write_model(group, layer)
        return
    if not isinstance(layer, Layer):
        g = group.create_group("vars")
        g.attrs["name"] = type(layer).__name__
        params = list(layer.parameters()) + [b for b in layer.buffers() if b.is_floating_point()]
        for i, p in enumerate(params):
            g.create_dataset(str(i), data=p.detach().cpu().numpy())
        return
    _write_layout(group, layout_of(layer), iter(layer.get_weights()))


def _write_layout(group, layout: Layout, values) -> None:
    g = group.create_group("vars")
    g.attrs["name"] = layout.name
    for i in range(layout.own):
        g.create_dataset(str(i), data=next(values))
    for key, sub in layout.children:
        _write_layout(group.create_group(key), sub, values)


# --------------------------------------------------------------------- .keras archives
def write_archive(fileobj, model, config: dict, version: str, include_optimizer: bool = True) -> None:
    import datetime

    import h5py
    metadata = {"keras_version": version, "producer": "kerastorch",
                "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        write_model(f, model, include_optimizer=include_optimizer)
    with zipfile.ZipFile(fileobj, "w") as zf:
        zf.writestr(METADATA_FILENAME, json.dumps(metadata))
        zf.writestr(CONFIG_FILENAME, json.dumps(config, default=_json_default))
        zf.writestr(WEIGHTS_FILENAME, buffer.getvalue())


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def read_archive(path):
    """(config dict or None, weights bytes) of a ``.keras`` archive, with clear errors."""
    with file_utils.reading(path, "read the .keras archive"):
        with zipfile.ZipFile(path) as zf:
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
            weights = zf.read(WEIGHTS_FILENAME)
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
        from kerastorch.saving.optimizer_state import set_from_keras_layout
        set_from_keras_layout(model, opt, node.arrays)
    except (ValueError, TypeError, AttributeError) as e:
        warnings.warn(f"Could not restore the optimizer state from {file_label} ({e}); the optimizer starts "
                      "fresh.", stacklevel=3)
