"""The configs of functional and sequential models, written and read in two dialects
(``functional_config`` / ``functional_from_config``, ``sequential_config`` /
``sequential_from_config``, ``model_config`` / ``model_from_config``).

* Keras 3 (``model.get_config()``, ``config.json`` of ``.keras`` files): ``InputLayer``
  has ``batch_shape``; an inbound node is ``{"args": [...], "kwargs": {...}}`` with
  ``{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}``
  leaves; ``dtype`` may be a ``DTypePolicy`` dict.
* Keras 2 / tf-keras (``model_config`` of legacy ``.h5`` files, tf-keras ``to_json``):
  ``batch_input_shape``; an inbound node is a list of ``[layer, node, tensor, kwargs]``.

Node indices differ between the dialects for nested models: tf-keras counts a nested
Functional model (or a Sequential model with an input layer) from 1, because such a
model owns a node created at construction; Keras 3 counts from 1 only for nested
Functional models, and only in ``input_layers``/``output_layers``. Reading and writing
both follow these rules.

This module sits next to the model classes (``Functional.get_config``/``from_config`` and
``Sequential``'s call it); ``kerastorch.saving`` writes the Keras 2 dialect of legacy
``.h5`` files by calling ``model_config(model, legacy=True)``.
"""
from __future__ import annotations

import contextlib
import inspect
import threading
from typing import Any

from kerastorch._core import tree
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.layers.input_layer import InputLayer, TorchOpLayer
from kerastorch.layers.layer_config import _dtype_name, _looks_like_object_config, deserialize_layer
from kerastorch.layers.operation_layers import operation_config
from kerastorch.layers.serialization import (
    _deserialize,
    _short,
    _state,
    load_context,
    serialize_keras_object,
)

_WRITING = threading.local()


def _writing_keras2() -> bool:
    return bool(getattr(_WRITING, "keras2", False))


@contextlib.contextmanager
def keras2_dialect(enabled: bool = True):
    """While active, model ``get_config`` writes the Keras 2 (tf-keras) dialect."""
    old = _writing_keras2()
    _WRITING.keras2 = enabled
    try:
        yield
    finally:
        _WRITING.keras2 = old


def _model_node_set(model) -> set:
    """Nodes belonging to a functional model: its run nodes plus its inputs' nodes."""
    nodes = set(model._run_nodes)
    for t in model.inputs:
        h = t._keras_history
        nodes.add(h.layer._inbound_nodes[h.node_index])
    return nodes


def _layer_node_indices(layer, node_set: set, legacy: bool, io: bool = False) -> dict:
    """{id(node): config index} for ``layer``'s nodes in this model, per the dialect's counting."""
    if isinstance(layer, InputLayer):
        return {id(n): 0 for n in layer._inbound_nodes}
    offset = _node_offset(layer, legacy, io)
    out = {}
    k = 0
    for node in layer._inbound_nodes:
        if node in node_set:
            out[id(node)] = offset + k
            k += 1
    return out


def _is_sequential(layer) -> bool:
    return hasattr(layer, "_stack")  # this module is imported by the model classes, so no isinstance


def _is_functional(layer) -> bool:
    return hasattr(layer, "_run_nodes") and not _is_sequential(layer)


def _node_offset(layer, legacy: bool, io: bool) -> int:
    if legacy:
        if _is_functional(layer):
            return 1
        if _is_sequential(layer) and layer._input_layer is not None:
            return 1
        return 0
    return 1 if io and _is_functional(layer) else 0


def _layer_entry(layer) -> dict:
    if isinstance(layer, TorchOpLayer):
        return operation_config(layer)
    entry = serialize_keras_object(layer)
    inner = entry.get("config")
    if not _writing_keras2() and isinstance(inner, dict) and "batch_input_shape" in inner:
        # Keras 3 keeps a model's input shape on its InputLayer only (its layers take no batch_input_shape).
        entry["config"] = {k: v for k, v in inner.items() if k != "batch_input_shape"}
    return entry


def functional_config(model) -> dict:
    """``get_config()`` of a functional model (Keras 3 dialect, or Keras 2 inside ``legacy_config_scope``)."""
    legacy = _writing_keras2()
    node_set = _model_node_set(model)
    index_maps = {}

    def node_index(layer, node, io=False):
        key = (id(layer), io)
        if key not in index_maps:
            index_maps[key] = _layer_node_indices(layer, node_set, legacy, io)
        return index_maps[key][id(node)]

    def ref(t, io=False):
        h = t._keras_history
        node = h.layer._inbound_nodes[h.node_index]
        return [h.layer.name, node_index(h.layer, node, io), h.tensor_index]

    layer_configs = []
    for layer in model._graph_layers:
        entry = _layer_entry(layer)
        if legacy:
            entry = to_legacy_layer_config(entry)
        entry["name"] = layer.name
        nodes = []
        for node in layer._inbound_nodes:
            if node not in node_set or node.is_input:
                continue
            nodes.append(_legacy_node(node, ref) if legacy else _k3_node(node, ref))
        entry["inbound_nodes"] = nodes
        layer_configs.append(entry)

    def io_refs(struct):
        if type(struct) is KerasTensor:
            return [ref(struct, io=True)] if legacy else ref(struct, io=True)
        if isinstance(struct, dict) and not legacy:
            return {k: io_refs(v) for k, v in struct.items()}
        return [ref(t, io=True) for t in tree.flatten(struct)]

    config = {"name": model.name, "trainable": model.trainable, "layers": layer_configs,
              "input_layers": io_refs(model._inputs_struct), "output_layers": io_refs(model._outputs_struct)}
    return config


def _k3_node(node, ref) -> dict:
    def conv(x):
        if type(x) is KerasTensor:
            return {"class_name": "__keras_tensor__",
                    "config": {"shape": list(x.shape), "dtype": x.dtype, "keras_history": ref(x)}}
        return serialize_keras_object(x)

    args = _map_leaves(conv, list(node.call_args))
    kwargs = _map_leaves(conv, dict(node.call_kwargs))
    return {"args": args, "kwargs": kwargs}


def _map_leaves(fn, value):
    if isinstance(value, (list, tuple)):
        return [_map_leaves(fn, v) for v in value]
    if isinstance(value, dict):
        return {k: _map_leaves(fn, v) for k, v in value.items()}
    return fn(value)


def _legacy_node(node, ref) -> list:
    args = list(node.call_args)
    first = args[0] if args else None
    kwargs = dict(node.call_kwargs)
    if len(args) > 1:
        params = [p for p in inspect.signature(node.layer.call).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in params][1:]
        for name, value in zip(names, args[1:]):
            kwargs[name] = value

    def conv_kw(x):
        if type(x) is KerasTensor:
            return ref(x)
        return serialize_keras_object(x)

    kwargs = _map_leaves(conv_kw, kwargs)
    if kwargs.get("mask", 0) is None:
        del kwargs["mask"]
    entries = []
    for leaf in tree.flatten(first) if isinstance(first, (list, tuple, dict)) else [first]:
        if type(leaf) is KerasTensor:
            entries.append(ref(leaf) + [kwargs])
        else:
            entries.append(["_CONSTANT_VALUE", -1, serialize_keras_object(leaf), kwargs])
    return entries


def to_legacy_layer_config(entry: dict) -> dict:
    """A Keras 3 layer entry rewritten for tf-keras: dtype strings, ``batch_input_shape``, no Keras-3-only keys."""
    out = {"class_name": entry["class_name"], "config": _legacy_inner(entry["class_name"], entry.get("config"))}
    if entry.get("registered_name") and entry["registered_name"] != entry["class_name"]:
        out["class_name"] = entry["registered_name"]
    return out


_K3_ONLY_KEYS = {"quantization_config", "lora_rank", "lora_alpha", "use_cudnn", "flash_attention"}
_K3_ONLY_INITIALIZER_KEYS = {"input_axes", "output_axes"}
# Keras 3 keys tf-keras layers refuse, dropped when they hold the value tf-keras behaves as.
_K3_DEFAULT_ONLY_KEYS = {("InputLayer", "optional"): False, ("ZeroPadding1D", "data_format"): "channels_last",
                         ("Cropping1D", "data_format"): "channels_last",
                         ("LayerNormalization", "rms_scaling"): False,
                         ("MultiHeadAttention", "use_gate"): False, ("MultiHeadAttention", "sliding_window"): None,
                         ("MultiHeadAttention", "seed"): None}


def _legacy_inner(class_name, config):
    if not isinstance(config, dict):
        return config
    out = {}
    for key, value in config.items():
        if key in _K3_ONLY_KEYS:
            continue
        if (class_name, key) in _K3_DEFAULT_ONLY_KEYS and value == _K3_DEFAULT_ONLY_KEYS[(class_name, key)]:
            continue
        if key == "seed" and ("recurrent_dropout" in config or "cell" in config):
            continue  # tf-keras recurrent layers and cells take no seed
        if key == "dtype":
            value = _dtype_name(value)
        if key == "batch_shape":  # only InputLayer has one
            key = "batch_input_shape"
        if isinstance(value, dict) and _looks_like_object_config(value):
            value = dict(value)
            value.pop("build_config", None)
            value.pop("compile_config", None)
            value.pop("shared_object_id", None)
            if key in ("layer", "backward_layer", "cell"):
                value = to_legacy_layer_config(value)
            elif value.get("class_name") in ("DTypePolicy", "Policy"):
                value = _dtype_name(value)
            elif isinstance(value.get("config"), dict) and _K3_ONLY_INITIALIZER_KEYS & set(value["config"]):
                # Keras 3.15's fan axes of the variance-scaling initializers; tf-keras's take none (None = default).
                value["config"] = {k: v for k, v in value["config"].items()
                                   if not (k in _K3_ONLY_INITIALIZER_KEYS and v is None)}
        elif isinstance(value, list) and key in ("cells",):
            value = [to_legacy_layer_config(v) if _looks_like_object_config(v) else v for v in value]
        out[key] = value
    if "batch_input_shape" in out and class_name == "InputLayer":
        out.setdefault("sparse", False)
        out.setdefault("ragged", False)
    if class_name == "MultiHeadAttention":
        # tf-keras's from_config pops these (None: built on the first call, as a loaded graph does).
        for key in ("query_shape", "key_shape", "value_shape"):
            out.setdefault(key, None)
    if class_name == "LeakyReLU" and "negative_slope" in out:
        out["alpha"] = out.pop("negative_slope")  # tf-keras's name for it
    return out


def sequential_config(model) -> dict:
    """``get_config()`` of a Sequential model in the active dialect."""
    legacy = _writing_keras2()
    layers = []
    if model._input_layer is not None:
        entry = serialize_keras_object(model._input_layer)
        layers.append(to_legacy_layer_config(entry) if legacy else entry)
    for layer in model._stack:
        entry = _layer_entry(layer)
        layers.append(to_legacy_layer_config(entry) if legacy else entry)
    config = {"name": model.name, "trainable": model.trainable}
    if not legacy:
        config["dtype"] = {"module": "keras", "class_name": "DTypePolicy",
                           "config": {"name": model.dtype}, "registered_name": None}
    config["layers"] = layers
    if model._input_layer is not None and not legacy:
        config["build_input_shape"] = list(model._input_layer.batch_shape)
    return config


def sequential_from_config(cls, config, custom_objects: dict | None = None):
    """Rebuild a Sequential model from either dialect's config (also Keras 2.0's list form)."""
    if isinstance(config, list):
        config = {"layers": config}
    keras2 = None
    if _state("keras2") is None:
        first = (config.get("layers") or [{}])[0]
        inner = first.get("config") if isinstance(first, dict) else None
        keras2 = isinstance(inner, dict) and "batch_input_shape" in inner
    with load_context(custom_objects=custom_objects, keras2_semantics=keras2):
        model = cls(name=config.get("name"))
        for layer_config in config.get("layers", []):
            model.add(deserialize_layer(layer_config, build=False))
        build_shape = config.get("build_input_shape")
        if not model.built and build_shape:
            model.build(tuple(build_shape))
        if config.get("trainable") is False:
            model.trainable = False
    return model


class _NotReady(Exception):
    pass


def _is_legacy_functional(config: dict) -> bool:
    for layer in config.get("layers", []):
        nodes = layer.get("inbound_nodes") or []
        if nodes and isinstance(nodes[0], list):
            return True
        if nodes and isinstance(nodes[0], dict):
            return False
        inner = layer.get("config") or {}
        if isinstance(inner, dict):
            if "batch_input_shape" in inner:
                return True
            if "batch_shape" in inner:
                return False
    return False


def _is_entry(x) -> bool:
    return (isinstance(x, list) and len(x) in (3, 4) and isinstance(x[0], str)
            and isinstance(x[1], int) and not isinstance(x[1], bool)
            and (len(x) == 3 or isinstance(x[3], dict)))


def functional_from_config(cls, config, custom_objects: dict | None = None):
    """Rebuild a functional model from either dialect's config."""
    if not isinstance(config, dict) or "layers" not in config:
        raise ValueError(f"Invalid functional model config (no 'layers'): {_short(config)}")
    legacy = _is_legacy_functional(config)
    keras2 = _state("keras2")
    with load_context(custom_objects=custom_objects, keras2_semantics=legacy if keras2 is None else None):
        created: dict[str, Any] = {}
        outputs: dict[str, list] = {}
        pending = []
        for layer_config in config["layers"]:
            name = layer_config.get("name") or (layer_config.get("config") or {}).get("name")
            layer = deserialize_layer(layer_config, build=False)
            if name is None:
                name = layer.name
            if name in created:
                raise ValueError(f'The model config has two layers named "{name}".')
            created[name] = layer
            pending.append([name, layer, list(layer_config.get("inbound_nodes") or [])])

        def tensor(lname, idx, tidx, io=False):
            layer = created.get(lname)
            if layer is None:
                raise ValueError(f'The model config refers to an unknown layer "{lname}".')
            if isinstance(layer, InputLayer):
                return layer.output_tensor
            call = int(idx) - _node_offset(layer, legacy, io)
            if call < 0:
                call = int(idx)
            calls = outputs.get(lname, [])
            if call >= len(calls):
                raise _NotReady
            flat = tree.flatten(calls[call])
            if not 0 <= int(tidx) < len(flat):
                raise ValueError(f'Layer "{lname}" has no output tensor #{tidx} (it has {len(flat)}).')
            return flat[int(tidx)]

        def resolve_k3(value):
            if isinstance(value, KerasTensor):
                h = getattr(value, "_pre_serialization_keras_history", None)
                return tensor(*h) if h else value
            if isinstance(value, list):
                return [resolve_k3(v) for v in value]
            if isinstance(value, tuple):
                return tuple(resolve_k3(v) for v in value)
            if isinstance(value, dict):
                return {k: resolve_k3(v) for k, v in value.items()}
            return value

        def resolve_legacy_kwargs(value):
            if _is_entry(value) and len(value) == 3 and value[0] in created:
                return tensor(*value)
            if isinstance(value, list):
                return [resolve_legacy_kwargs(v) for v in value]
            if isinstance(value, dict):
                return {k: resolve_legacy_kwargs(v) for k, v in value.items()}
            return value

        def call_node(layer, node_data):
            if isinstance(node_data, dict):
                args = _deserialize(node_data.get("args") or [])
                kwargs = _deserialize(node_data.get("kwargs") or {})
                args = resolve_k3(args)
                kwargs = resolve_k3(kwargs)
            else:
                entries = _flatten_entries(node_data)
                inputs, kwargs = [], {}
                for entry in entries:
                    if entry[0] == "_CONSTANT_VALUE":
                        inputs.append(entry[2])
                    else:
                        inputs.append(tensor(entry[0], entry[1], entry[2]))
                    if len(entry) == 4 and entry[3]:
                        kwargs = entry[3]
                kwargs = resolve_legacy_kwargs(_deserialize(kwargs))
                params = _call_params(layer)
                if len(inputs) > 1 and params is not None and "initial_state" in params \
                        and "initial_state" not in kwargs:
                    args = [inputs[0]]
                    kwargs["initial_state"] = inputs[1:]
                else:
                    args = [inputs[0] if len(inputs) == 1 else inputs]
            kwargs = _filter_call_kwargs(layer, kwargs)
            return layer(*args, **kwargs)

        while pending:
            progress = False
            remaining = []
            for item in pending:
                name, layer, nodes = item
                while nodes:
                    try:
                        out = call_node(layer, nodes[0])
                    except _NotReady:
                        break
                    outputs.setdefault(name, []).append(out)
                    nodes.pop(0)
                    progress = True
                if nodes:
                    remaining.append(item)
            pending = remaining
            if pending and not progress:
                stuck = ", ".join(sorted(n for n, _, _ in pending))
                raise ValueError(f"Cannot rebuild the model from its config: the inputs of layer(s) {stuck} "
                                 "can never be computed (invalid or incomplete config).")

        def io(struct):
            if _is_entry(struct):
                return tensor(struct[0], struct[1], struct[2], io=True)
            if isinstance(struct, dict):
                return {k: io(v) for k, v in struct.items()}
            if isinstance(struct, (list, tuple)):
                return [io(v) for v in struct]
            raise ValueError(f"Invalid input_layers/output_layers entry in the model config: {struct!r}")

        try:
            inputs = io(config.get("input_layers") or [])
            outs = io(config.get("output_layers") or [])
        except _NotReady:
            raise ValueError("Cannot rebuild the model from its config: an output refers to a layer call "
                             "that the config never makes.") from None
        if isinstance(inputs, list) and len(inputs) == 1 and legacy:
            inputs = inputs[0]
        if isinstance(outs, list) and len(outs) == 1 and legacy:
            outs = outs[0]
        model = cls(inputs=inputs, outputs=outs, name=config.get("name"))
        if config.get("trainable") is False:
            model.trainable = False
    return model


def _flatten_entries(node_data) -> list:
    if _is_entry(node_data) or (isinstance(node_data, list) and len(node_data) in (3, 4)
                                and node_data and node_data[0] == "_CONSTANT_VALUE"):
        return [node_data]
    if isinstance(node_data, dict):
        out = []
        for key in sorted(node_data):
            out.extend(_flatten_entries(node_data[key]))
        return out
    if isinstance(node_data, list):
        out = []
        for item in node_data:
            out.extend(_flatten_entries(item))
        return out
    raise ValueError(f"Invalid inbound node data in the model config: {_short(node_data)}")


def _call_params(layer):
    try:
        params = inspect.signature(layer.call).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return None
    return set(params)


def _filter_call_kwargs(layer, kwargs: dict) -> dict:
    kwargs = {k: v for k, v in kwargs.items() if k != "training"}
    if kwargs.get("mask", 0) is None:
        kwargs.pop("mask")
    params = _call_params(layer)
    if params is None:
        return kwargs
    return {k: v for k, v in kwargs.items() if k in params}


# --------------------------------------------------------------------- models <-> json
def model_config(model, legacy: bool = False) -> dict:
    """``{"class_name", "config", ...}`` for a whole model in the chosen dialect."""
    with keras2_dialect(legacy):
        entry = serialize_keras_object(model)
    if legacy:
        config = entry["config"]
        if isinstance(config, dict) and isinstance(config.get("dtype"), dict):
            # A subclassed model's own config (Keras's Layer.get_config) has the DTypePolicy; tf-keras a string.
            config = {**config, "dtype": _dtype_name(config["dtype"])}
        out = {"class_name": entry["class_name"] if entry.get("registered_name") in (None, entry["class_name"])
               else entry["registered_name"], "config": config}
        return out
    return entry


def model_from_config(config: dict, custom_objects: dict | None = None, safe_mode: bool = True,
                      keras2_semantics: bool | None = None):
    """A model (or layer) from ``model_config`` output of either dialect."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Invalid model config: expected a dict with 'class_name' and 'config'. "
                         f"Received: {_short(config)}")
    with load_context(keras2_semantics=keras2_semantics, custom_objects=custom_objects, safe_mode=safe_mode):
        return deserialize_layer(config)
