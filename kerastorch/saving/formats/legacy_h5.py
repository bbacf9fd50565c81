"""The legacy (Keras 1/2, tf-keras) HDF5 format: full models and weights-only files.

Layout::

    @model_config (JSON), @training_config (JSON, if compiled), @backend, @keras_version
    model_weights/                       (a weights-only file has this content at its root)
        @layer_names (maybe chunked: layer_names0, layer_names1, ...)
        <layer name>/ @weight_names      weights listed trainable-first, matched by position
            <weight name>                dataset at the path "<layer group>/<weight name>"
    optimizer_weights/ @weight_names     (optional)

Reading happens in two phases: every array is read from the file first (a damaged
file fails there with a ValueError naming the file), then the arrays are applied to
the model by position, as Keras does (or by layer name with ``by_name=True``). Arrays
written by older Keras versions pass through each layer's ``_upgrade_legacy_weights``
hook first (Keras 1 gate layouts, CuDNN kernels, Theano kernels...).
"""
from __future__ import annotations

import json
import warnings
from typing import NamedTuple

import h5py
import numpy as np
from torch import nn

from kerastorch.layers.file_formats import keras_shapes
from kerastorch.layers.layer import _assign_weight
from kerastorch.layers.operation_layers import is_operation_layer
from kerastorch.saving import file_utils, optimizer_state
from kerastorch.saving.file_utils import FileFormatError


class LegacyWeights(NamedTuple):
    layer_names: list
    layers: dict          # layer name -> (weight names, arrays)
    top_level: list       # arrays of top_level_model_weights
    keras_version: str
    backend: str | None


# --------------------------------------------------------------------- reading
def read_weights_group(group, path, size: int) -> LegacyWeights:
    """Every weight array of a legacy weights group (the file root or ``model_weights``)."""
    with file_utils.reading(path, "read the weights of"):
        if not file_utils.has_name_list(group, "layer_names"):
            raise FileFormatError(f"{file_utils.describe(path)} has no 'layer_names' attribute: it is not a "
                                  "legacy Keras weights file.")
        version = file_utils.read_string_attr(group, "keras_version") or "1"
        backend = file_utils.read_string_attr(group, "backend")
        names = file_utils.read_name_list(group, "layer_names")
        budget = file_utils.read_budget(size)
        layers = {}
        for name in names:
            if name in layers:
                continue
            if name not in group:
                raise FileFormatError(f"layer_names lists {name!r}, but the file has no group of that name.")
            layers[name] = _read_layer(group[name], budget, name)
        top = []
        if "top_level_model_weights" in group:
            top = _read_layer(group["top_level_model_weights"], budget, "top_level_model_weights")[1]
    return LegacyWeights(names, layers, top, version, backend)


def _read_layer(g, budget: int, label: str):
    if not isinstance(g, h5py.Group):
        raise FileFormatError(f"{label!r} should be a group of weights, found a {type(g).__name__}.")
    weight_names = file_utils.read_name_list(g, "weight_names")
    arrays = []
    for wname in weight_names:
        if wname not in g:
            raise FileFormatError(f"Layer {label!r} lists weight {wname!r}, which is missing from the file.")
        arrays.append(file_utils.read_array(g[wname], budget, f"Weight {wname!r} of layer {label!r}"))
    return weight_names, arrays


# --------------------------------------------------------------------- applying
def weighted(layer) -> bool:
    return hasattr(layer, "get_weights") and bool(_slots(layer))


def _slots(layer):
    if hasattr(layer, "_weight_slots"):
        return layer._weight_slots()
    return []


def legacy_order(layer) -> list[int]:
    """Positions of ``layer.get_weights()`` in the legacy file order (trainable weights first)."""
    slots = _slots(layer)
    trainable = []
    for owner, attr in slots:
        w = getattr(owner, attr)
        trainable.append(isinstance(w, nn.Parameter) and w.requires_grad)
    return [i for i, t in enumerate(trainable) if t] + [i for i, t in enumerate(trainable) if not t]


def model_layers(model) -> list:
    """The layers a legacy file lists, in ``model.layers`` order (no operation nodes)."""
    return [layer for layer in model.layers if not is_operation_layer(layer)]


def arrays_for_layer(layer, file_arrays: list, data: LegacyWeights, file_label: str, layer_label: str,
                     skip_mismatch: bool) -> list | None:
    """The file's arrays for ``layer`` in Keras order and shapes; None when skipped."""
    order = legacy_order(layer)
    expected = len(order)
    arrays = list(file_arrays)
    if len(arrays) == len(order):
        keras_order = [None] * len(arrays)
        for pos, idx in enumerate(order):
            keras_order[idx] = arrays[pos]
        arrays = keras_order
    try:
        arrays = layer._upgrade_legacy_weights(arrays, data.keras_version, data.backend)
    except ValueError as e:
        if skip_mismatch:
            warnings.warn(f"Skipping loading weights for {layer_label}: {e}", stacklevel=3)
            return None
        raise ValueError(f"Cannot load the weights of {layer_label} from {file_label}: {e}") from e
    if len(arrays) != expected:
        msg = (f"Weight count mismatch for {layer_label} when loading {file_label}: the layer expects "
               f"{expected} weight(s), the file has {len(file_arrays)}.")
        if skip_mismatch:
            warnings.warn("Skipping loading weights: " + msg, stacklevel=3)
            return None
        raise ValueError(msg)
    return arrays


def assign(layer, arrays: list, layer_label: str, file_label: str, skip_mismatch: bool) -> None:
    """Set ``arrays`` (Keras order) on ``layer``; a shape mismatch names the layer, the weight and both shapes."""
    slots = _slots(layer)
    expected = keras_shapes(layer)
    bad = [i for i, (a, e) in enumerate(zip(arrays, expected)) if tuple(np.shape(a)) != e]
    for i in bad:
        owner, attr = slots[i]
        msg = (f"Shape mismatch in {layer_label} for weight {layer._slot_name(owner, attr)} when loading "
               f"{file_label}: the layer expects shape {expected[i]}, the file has shape {tuple(np.shape(arrays[i]))}.")
        if not skip_mismatch:
            raise ValueError(msg)
        warnings.warn("Skipping loading weights: " + msg, stacklevel=3)
    for i, ((owner, attr), value) in enumerate(zip(slots, arrays)):
        if i in bad:
            continue
        _assign_weight(owner, attr, value, layer._slot_name(owner, attr))


def load_into_model(model, data: LegacyWeights, file_label: str, by_name: bool = False,
                    skip_mismatch: bool = False) -> None:
    """Apply the arrays of a legacy weights group to ``model`` (topological or by name)."""
    saved = [n for n in _dedup(data.layer_names) if data.layers[n][1]]
    if by_name:
        index: dict[str | None, list] = {}
        for layer in model_layers(model):
            index.setdefault(getattr(layer, "name", None), []).append(layer)
        for k, name in enumerate(saved):
            for layer in index.get(name, []):
                if not hasattr(layer, "get_weights"):
                    continue
                label = f'layer #{k} (named "{layer.name}")'
                arrays = arrays_for_layer(layer, data.layers[name][1], data, file_label, label, skip_mismatch)
                if arrays is not None:
                    assign(layer, arrays, label, file_label, skip_mismatch)
        return
    layers = [layer for layer in model_layers(model) if weighted(layer)]
    if saved and not layers and not getattr(model, "built", True):
        raise ValueError(f'Model "{model.name}" has not been built, so it has no weights yet to load {file_label} '
                         "into (its saved config records no input shape). Build it first, e.g. "
                         "`model.build(input_shape)` or call it on data, then call `model.load_weights(path)`.")
    if len(saved) != len(layers):
        raise ValueError(f"Layer count mismatch when loading weights from {file_label}: the model has "
                         f"{len(layers)} layers with weights ({[getattr(l, 'name', '?') for l in layers]}), the "
                         f"file has {len(saved)} ({saved}).")
    for k, (layer, name) in enumerate(zip(layers, saved)):
        label = f'layer #{k} (named "{layer.name}" in the model, "{name}" in the file)'
        arrays = arrays_for_layer(layer, data.layers[name][1], data, file_label, label, skip_mismatch)
        if arrays is not None:
            assign(layer, arrays, label, file_label, skip_mismatch)


def _dedup(names: list) -> list:
    seen, out = set(), []
    for n in names:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


# --------------------------------------------------------------------- writing
def _weight_names(layer) -> list[str]:
    names, used = [], set()
    for owner, attr in _slots(layer):
        w = getattr(owner, attr)
        base = getattr(w, "keras_name", None) or attr
        if owner is layer:
            name = f"{layer.name}/{base}:0"
        else:
            name = f"{layer.name}/{getattr(owner, 'name', type(owner).__name__)}/{base}:0"
        name = name.replace(".", "_") if name.count(".") else name
        candidate, i = name, 1
        while candidate in used:
            candidate = name.replace(":0", f"_{i}:0")
            i += 1
        used.add(candidate)
        names.append(candidate)
    return names


def save_attribute_list(group, name: str, data: list) -> None:
    """Store a list of names as an attribute, split into chunks when over HDF5's 64 KB header limit."""
    limit = 64512
    encoded = [d.encode("utf-8") if isinstance(d, str) else d for d in data]
    bad = [x for x in encoded if len(x) > limit]
    if bad:
        raise RuntimeError(f"The following attributes cannot be saved to HDF5 because they are larger than "
                           f"{limit} bytes: {bad[:3]}")
    arr = np.asarray(encoded) if encoded else np.asarray([], dtype=np.float64)
    chunks = 1
    parts = np.array_split(arr, chunks)
    while any(p.nbytes > limit for p in parts):
        chunks += 1
        parts = np.array_split(arr, chunks)
    if chunks > 1:
        for i, part in enumerate(parts):
            group.attrs[f"{name}{i}"] = part
    else:
        group.attrs[name] = arr


def write_weights_group(group, model, backend: str, version: str) -> None:
    """The legacy weights layout of ``model`` into ``group``."""
    layers = model_layers(model)
    save_attribute_list(group, "layer_names", [layer.name for layer in layers])
    group.attrs["backend"] = backend.encode("utf-8")
    group.attrs["keras_version"] = version.encode("utf-8")
    for layer in sorted(layers, key=lambda l: l.name):
        g = group.create_group(layer.name)
        if not hasattr(layer, "get_weights"):
            save_attribute_list(g, "weight_names", [])
            continue
        values = layer.get_weights()
        names = _weight_names(layer)
        order = legacy_order(layer)
        save_attribute_list(g, "weight_names", [names[i] for i in order])
        for i in order:
            g.create_dataset(names[i], data=values[i])
    top = group.create_group("top_level_model_weights")
    own = [(a, getattr(model, a)) for a, _, _ in model._own_weight_entries()] \
        if hasattr(model, "_own_weight_entries") else []
    save_attribute_list(top, "weight_names", [f"{a}:0" for a, _ in own])
    for a, w in own:
        top.create_dataset(f"{a}:0", data=w.detach().cpu().numpy())


def write_optimizer_weights(f, optimizer, model=None) -> None:
    if optimizer is None or not getattr(optimizer, "built", False):
        return
    keys = [key for key, _ in optimizer._state_items()]
    if not keys:
        return
    g = f.create_group("optimizer_weights")
    names = [f"{optimizer.name}/{key}" for key in keys]
    save_attribute_list(g, "weight_names", names)
    for name, value in zip(names, optimizer_state.keras_layout_values(model, optimizer)):
        g.create_dataset(name, data=value)


def read_optimizer_weights(f, path, size: int) -> tuple[list, list] | None:
    """(names, arrays) of the ``optimizer_weights`` group, or None."""
    if "optimizer_weights" not in f:
        return None
    with file_utils.reading(path, "read the optimizer weights of"):
        g = f["optimizer_weights"]
        names = file_utils.read_name_list(g, "weight_names")
        budget = file_utils.read_budget(size)
        arrays = []
        for name in names:
            if name not in g:
                raise FileFormatError(f"Optimizer weight {name!r} is listed but missing.")
            arrays.append(file_utils.read_array(g[name], budget, f"Optimizer weight {name!r}"))
    return names, arrays


def training_config_to_compile_args(training_config: dict) -> dict:
    """Keras 2 ``training_config`` -> Keras 3 style ``compile_config``."""
    cfg = dict(training_config)
    compile_config = {}
    if cfg.get("optimizer_config") is not None:
        compile_config["optimizer"] = cfg["optimizer_config"]
    for key in ("loss", "loss_weights", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"):
        if cfg.get(key) is not None:
            compile_config[key] = cfg[key]
    metrics = cfg.get("metrics")
    if metrics is not None:
        # tf-keras nests metrics per output ([[...]]) for single-output models.
        if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
            metrics = metrics[0]
        compile_config["metrics"] = metrics
    return compile_config


def dumps(obj) -> bytes:
    def default(o):
        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
        if isinstance(o, tuple):
            return list(o)
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
    return json.dumps(obj, default=default).encode("utf-8")
