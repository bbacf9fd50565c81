"""Whole-model and weights saving/loading, the entry points behind ``Model.save`` & co.

Writing picks the format from the path's suffix (as Keras does); reading detects it
from the file's content, never from its name:

| content                                   | format                                  |
|-------------------------------------------|-----------------------------------------|
| zip with ``config.json``/``model.weights.h5`` | Keras 3 ``.keras`` archive           |
| zip with ``*/data.pkl`` (or a pickle)     | ``torch.save`` state_dict (``.pt``)      |
| HDF5, ``@model_config`` + ``model_weights/`` | legacy Keras 1/2 full model           |
| HDF5, ``@layer_names``                    | legacy Keras 1/2 weights                 |
| HDF5, ``layers/`` or ``vars/`` groups     | Keras 3 ``.weights.h5``                  |

Every write goes to a temporary file in the destination folder and is renamed into
place with ``os.replace``, so an interrupted save never leaves a half-written file.
"""
from __future__ import annotations

import json
import os
import warnings

from kerastorch.saving import file_utils, keras_v3, layer_config, legacy_h5, model_config, serialization
from kerastorch.saving.file_utils import FileFormatError

_KERAS_VERSION = "3.0.0"  # the file-format generation kerastorch writes (Keras 3 semantics)


def _version() -> str:
    try:
        import kerastorch
        return str(kerastorch.__version__)
    except (ImportError, AttributeError):
        return "0"


def _check_overwrite(path: str, overwrite: bool) -> bool:
    if overwrite or not os.path.exists(path):
        return True
    warnings.warn(f"Not saving: {path!r} already exists and overwrite=False.", stacklevel=3)
    return False


# --------------------------------------------------------------------- compile configs
def get_compile_config(model) -> dict | None:
    """The serialized ``compile()`` arguments of a compiled model, or None."""
    if not getattr(model, "compiled", False):
        return None
    getter = getattr(model, "get_compile_config", None)
    cfg = None
    if callable(getter):
        try:
            cfg = getter()
        except Exception:  # noqa: BLE001
            cfg = None
    if cfg is None:
        cfg = {"optimizer": getattr(model, "optimizer", None), "loss": getattr(model, "loss", None),
               "metrics": getattr(model, "_compile_metrics", None), "loss_weights": getattr(model, "loss_weights", None)}
    out = {}
    for key, value in dict(cfg).items():
        try:
            out[key] = serialization.serialize_keras_object(value)
        except TypeError:
            out[key] = None
    return out


def _legacy_training_config(model) -> dict | None:
    cfg = get_compile_config(model)
    if not cfg:
        return None
    out = {k: v for k, v in cfg.items() if k != "optimizer"}
    opt = cfg.get("optimizer")
    if isinstance(opt, dict):
        inner = {k: v for k, v in (opt.get("config") or {}).items()
                 if k not in ("loss_scale_factor", "gradient_accumulation_steps")}
        out["optimizer_config"] = {"class_name": opt.get("class_name"), "config": inner}
    return out


# --------------------------------------------------------------------- saving
def save_model(model, filepath, overwrite: bool = True, include_optimizer: bool = True, **kwargs) -> None:
    """``model.save(filepath)``: ``.keras`` (Keras 3 archive) or ``.h5``/``.hdf5`` (legacy tf-keras layout)."""
    path = os.fspath(filepath)
    if kwargs.get("save_format") not in (None, "keras", "h5", "tf"):
        raise ValueError(f"Unknown save_format {kwargs['save_format']!r}; use a '.keras' or '.h5' path.")
    lower = path.lower()
    if kwargs.get("save_format") == "h5" and not lower.endswith((".h5", ".hdf5")):
        lower += ".h5"
    if not _check_overwrite(path, overwrite):
        return
    if lower.endswith(".keras"):
        config = model_config.model_config(model)
        compile_config = get_compile_config(model) if include_optimizer else None
        if compile_config is not None:
            config["compile_config"] = compile_config
        with file_utils.atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                keras_v3.write_archive(f, model, config, _KERAS_VERSION, include_optimizer=include_optimizer)
        return
    if lower.endswith((".h5", ".hdf5")):
        _save_legacy_model(model, path, include_optimizer)
        return
    raise ValueError(f"Invalid filepath extension for saving: {path!r}. Use a `.keras` extension (the Keras 3 "
                     "format, recommended) or `.h5` (the legacy tf-keras format). To save only the weights, use "
                     "`model.save_weights('x.weights.h5')` or `model.save_weights('x.pt')`.")


def _activation_semantics(config) -> str:
    """'keras2' when the model uses Keras 2's hard_sigmoid only (written as "hard_sigmoid" in legacy files)."""
    text = json.dumps(config)
    if "hard_sigmoid_keras2" in text and '"hard_sigmoid"' not in text:
        return "keras2"
    return "keras3"


def _save_legacy_model(model, path: str, include_optimizer: bool) -> None:
    import h5py
    config = model_config.model_config(model, legacy=True)
    semantics = _activation_semantics(config)
    text = json.dumps(config, default=_json_default)
    if semantics == "keras2":
        text = text.replace('"hard_sigmoid_keras2"', '"hard_sigmoid"')
    with file_utils.atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["backend"] = b"torch"
            f.attrs["keras_version"] = _KERAS_VERSION.encode()
            f.attrs["kerastorch_version"] = _version().encode()
            f.attrs["activation_semantics"] = semantics.encode()
            f.attrs["model_config"] = text.encode("utf-8")
            if include_optimizer:
                training = _legacy_training_config(model)
                if training is not None:
                    f.attrs["training_config"] = json.dumps(training, default=_json_default).encode("utf-8")
            legacy_h5.write_weights_group(f.create_group("model_weights"), model, "torch", _KERAS_VERSION)
            if include_optimizer:
                legacy_h5.write_optimizer_weights(f, getattr(model, "optimizer", None), model)


def _json_default(o):
    import numpy as np
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def save_weights(model, filepath, overwrite: bool = True, **kwargs) -> None:
    """``model.save_weights``: ``.weights.h5`` (Keras 3), ``.h5``/``.hdf5`` (legacy), ``.pt``/``.pth`` (torch)."""
    path = os.fspath(filepath)
    lower = path.lower()
    if not _check_overwrite(path, overwrite):
        return
    if lower.endswith(".weights.h5"):
        import h5py
        with file_utils.atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                keras_v3.write_model(f, model, include_optimizer=True)
        return
    if lower.endswith((".h5", ".hdf5")):
        import h5py
        with file_utils.atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                legacy_h5.write_weights_group(f, model, "torch", _KERAS_VERSION)
        return
    if lower.endswith((".pt", ".pth")):
        import torch
        state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
        with file_utils.atomic_path(path) as tmp:
            torch.save(state, tmp)
        return
    if lower.endswith(".keras"):
        raise ValueError(f"save_weights() does not write .keras archives ({path!r}); use `model.save(path)` "
                         "for the whole model, or a `.weights.h5` path for the weights.")
    raise ValueError(f"Invalid filepath for save_weights: {path!r}. The filename must end in `.weights.h5` "
                     "(Keras 3 format), `.h5` (legacy Keras format) or `.pt` (a torch state_dict).")


# --------------------------------------------------------------------- loading
def _exists(path: str) -> None:
    if not os.path.exists(path):
        raise FileNotFoundError(f"File not found: {path!r}.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory, not a Keras model or weights file (TensorFlow "
                                "SavedModel directories cannot be loaded by kerastorch).")


def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """A model from a ``.keras`` archive or a legacy ``.h5`` full-model file (detected from the content)."""
    path = os.fspath(filepath)
    _exists(path)
    label = repr(path)
    kind = file_utils.sniff(path)
    if kind == "zip":
        zkind = file_utils.zip_kind(path)
        if zkind == "keras":
            return _load_keras_archive(path, custom_objects, compile, safe_mode)
        if zkind == "torch":
            raise ValueError(f"{label} holds PyTorch weights (a state_dict), not a model: build the model in code "
                             "and call `model.load_weights(path)`.")
        raise FileFormatError(f"{label} is a zip file but not a .keras model archive (no config.json).")
    if kind == "hdf5":
        f = file_utils.open_h5(path, safe_mode=safe_mode)
        try:
            with file_utils.reading(path, "inspect"):
                has_config = "model_config" in f.attrs
                is_weights = file_utils.has_name_list(f, "layer_names") or keras_v3.is_keras3_weights(f)
            if has_config:
                return _load_legacy_model(f, path, custom_objects, compile, safe_mode)
            if is_weights:
                raise ValueError(f"{label} holds only weights, not a model architecture: build the model in code "
                                 "and call `model.load_weights(path)`.")
            raise FileFormatError(f"{label} is an HDF5 file but not a Keras model (no model_config attribute).")
        finally:
            f.close()
    if kind == "pickle":
        raise ValueError(f"{label} is a pickle/torch file, not a Keras model: build the model and call "
                         "`model.load_weights(path)` for torch weights.")
    if kind == "empty":
        raise FileFormatError(f"{label} is empty.")
    raise FileFormatError(f"{label} is not a Keras model file: it is neither a .keras zip archive nor an HDF5 "
                          "file (unrecognized content).")


_CONFIG_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError, RuntimeError, RecursionError,
                  NotImplementedError)


def _rebuild(config, path, custom_objects, safe_mode, keras2):
    """The model described by a file's config; any failure becomes a ValueError naming the file."""
    try:
        return model_config.model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode,
                                              keras2_semantics=keras2)
    except _CONFIG_ERRORS as e:
        raise ValueError(f"Could not rebuild the model stored in {path!r}: {type(e).__name__}: {e}") from e


def _keras2_semantics(f) -> bool:
    semantics = file_utils.read_string_attr(f, "activation_semantics")
    if semantics is not None:
        return semantics == "keras2"
    version = file_utils.read_string_attr(f, "keras_version") or "1"
    return version.split(".")[0] in ("1", "2")


def _load_legacy_model(f, path: str, custom_objects, compile: bool, safe_mode: bool):
    size = file_utils.file_size(path)
    with file_utils.reading(path, "read the model config of"):
        config = file_utils.load_json(file_utils.read_string_attr(f, "model_config"), f"model_config of {path!r}")
        training_text = file_utils.read_string_attr(f, "training_config")
        keras2 = _keras2_semantics(f)
        if "model_weights" not in f:
            raise FileFormatError(f"{path!r} has a model_config but no model_weights group.")
        weights_group = f["model_weights"]
    data = legacy_h5.read_weights_group(weights_group, path, size)
    if not isinstance(config, dict):
        raise FileFormatError(f"The model_config of {path!r} is not a JSON object.")
    model = _rebuild(config, path, custom_objects, safe_mode, keras2)
    legacy_h5.load_into_model(model, data, repr(path))
    if compile and training_text:
        training = file_utils.load_json(training_text, f"training_config of {path!r}")
        with serialization.load_context(custom_objects=custom_objects, safe_mode=safe_mode):
            layer_config.compile_from_config(model, legacy_h5.training_config_to_compile_args(training))
        opt_data = legacy_h5.read_optimizer_weights(f, path, size)
        if opt_data is not None and getattr(model, "optimizer", None) is not None:
            _restore_legacy_optimizer(model, *opt_data, label=repr(path))
    return model


def _restore_legacy_optimizer(model, names: list, arrays: list, label: str) -> None:
    opt = model.optimizer
    try:
        if not getattr(opt, "built", False):
            opt.build(model.trainable_weights)
        from kerastorch.saving import optimizer_state
        if len(arrays) == len(opt.variables):
            optimizer_state.set_from_keras_layout(model, opt, arrays)
            return
        state = _tf_keras_optimizer_state(opt, names, arrays)
        opt.set_state(optimizer_state.state_from_keras_layout(model, opt, state))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        warnings.warn(f"Could not restore the optimizer state saved in {label} ({e}); the optimizer starts "
                      "fresh.", stacklevel=3)


def _tf_keras_optimizer_state(opt, names: list, arrays: list) -> dict:
    """Map tf-keras optimizer weights (``iteration:0``, ``Adam/m/<var>:0`` interleaved) onto ``get_state`` keys."""
    current = opt.get_state()
    slot_names = list(opt._slot_names()) if hasattr(opt, "_slot_names") else []
    state = {}
    tokens: list[str] = []
    counts: dict[str, int] = {}
    for name, value in zip(names, arrays):
        base = name.split(":")[0]
        if base.split("/")[-1] in ("iteration", "iterations"):
            state["iterations"] = value
            continue
        if base.split("/")[-1] in ("learning_rate", "lr"):
            state["learning_rate"] = value
            continue
        parts = base.split("/")
        token = parts[1] if len(parts) > 2 else parts[0]
        if token not in counts:
            tokens.append(token)
            counts[token] = 0
        if len(tokens) > len(slot_names):
            raise ValueError(f"unexpected optimizer variable {name!r}")
        state[f"{slot_names[tokens.index(token)]}/{counts[token]}"] = value
        counts[token] += 1
    if "learning_rate" in current and "learning_rate" not in state:
        state["learning_rate"] = current["learning_rate"]
    return state


def _load_keras_archive(path: str, custom_objects, compile: bool, safe_mode: bool):
    config, weights = keras_v3.read_archive(path)
    if not isinstance(config, dict):
        raise FileFormatError(f"{path!r} has no valid config.json: it cannot be loaded as a model (use "
                              "`load_weights` to read its weights into a model built in code).")
    config = dict(config)
    compile_config = config.pop("compile_config", None)
    f = file_utils.open_h5(bytes(weights), path, safe_mode=safe_mode)
    try:
        tree = keras_v3.read_tree(f, path, len(weights))
    finally:
        f.close()
    model = _rebuild(config, path, custom_objects, safe_mode, False)
    keras_v3.load_into_model(model, tree, repr(path))
    if compile and compile_config:
        with serialization.load_context(custom_objects=custom_objects, safe_mode=safe_mode):
            layer_config.compile_from_config(model, compile_config)
        keras_v3.restore_optimizer(model, tree, repr(path))
    return model


def load_weights(model, filepath, by_name: bool = False, skip_mismatch: bool = False, **kwargs) -> None:
    """``model.load_weights``: any supported format, detected from the file's content."""
    path = os.fspath(filepath)
    # safe_mode=False lets HDF5 external links / virtual datasets through (see hdf5_safety).
    safe_mode = kwargs.pop("safe_mode", None)
    _exists(path)
    label = repr(path)
    kind = file_utils.sniff(path)
    if kind == "zip":
        zkind = file_utils.zip_kind(path)
        if zkind == "keras":
            _, weights = keras_v3.read_archive(path)
            _load_h5_weights(model, bytes(weights), path, len(weights), by_name, skip_mismatch, safe_mode)
            return
        if zkind == "torch":
            _load_torch_weights(model, path, by_name, skip_mismatch)
            return
        raise FileFormatError(f"{label} is a zip file but neither a .keras archive nor a torch checkpoint.")
    if kind == "hdf5":
        _load_h5_weights(model, path, path, file_utils.file_size(path), by_name, skip_mismatch, safe_mode)
        return
    if kind == "pickle":
        _load_torch_weights(model, path, by_name, skip_mismatch)
        return
    if kind == "empty":
        raise FileFormatError(f"{label} is empty.")
    raise FileFormatError(f"{label} is not a weights file kerastorch can read: expected HDF5 (.h5 / .weights.h5), "
                          "a .keras archive or a torch checkpoint (.pt).")


def _load_h5_weights(model, source, path, size: int, by_name: bool, skip_mismatch: bool,
                     safe_mode: bool | None = None) -> None:
    f = file_utils.open_h5(source, path, safe_mode=safe_mode)
    try:
        with file_utils.reading(path, "inspect"):
            if "model_weights" in f and file_utils.has_name_list(f["model_weights"], "layer_names"):
                group, kind = f["model_weights"], "legacy"
            elif file_utils.has_name_list(f, "layer_names"):
                group, kind = f, "legacy"
            elif keras_v3.is_keras3_weights(f):
                group, kind = f, "keras3"
            else:
                raise FileFormatError(f"{path!r} is an HDF5 file without Keras weights (no 'layer_names' "
                                      "attribute, no 'layers'/'vars' groups).")
        if kind == "legacy":
            data = legacy_h5.read_weights_group(group, path, size)
        else:
            tree = keras_v3.read_tree(group, path, size)
    finally:
        f.close()
    if kind == "legacy":
        legacy_h5.load_into_model(model, data, repr(path), by_name=by_name, skip_mismatch=skip_mismatch)
    else:
        keras_v3.load_into_model(model, tree, repr(path), by_name=by_name, skip_mismatch=skip_mismatch)
        if getattr(model, "optimizer", None) is not None and "optimizer" in tree.children:
            keras_v3.restore_optimizer(model, tree, repr(path))


def _load_torch_weights(model, path: str, by_name: bool, skip_mismatch: bool) -> None:
    import pickle

    import torch
    with file_utils.reading(path, "read the torch checkpoint"):
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as e:
            raise FileFormatError(f"{path!r} could not be loaded with torch.load(weights_only=True): {e}") from e
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise FileFormatError(f"{path!r} does not hold a state_dict (a dict of tensors).")
    own = model.state_dict()
    problems = []
    kept = {}
    for key, value in state.items():
        if key not in own:
            problems.append(f"unexpected weight {key!r}")
            continue
        if tuple(own[key].shape) != tuple(value.shape):
            layer, _, weight = key.rpartition(".")
            problems.append(f'shape mismatch for layer "{layer}", weight "{weight}": the model expects '
                            f"{tuple(own[key].shape)}, the file has {tuple(value.shape)}")
            continue
        kept[key] = value
    missing = [k for k in own if k not in state]
    if not by_name:
        problems += [f"missing weight {k!r}" for k in missing]
    if problems:
        msg = f"Cannot load {path!r} into model \"{getattr(model, 'name', '?')}\": " + "; ".join(problems[:10])
        if len(problems) > 10:
            msg += f"; ... ({len(problems)} problems)"
        if not skip_mismatch:
            raise ValueError(msg)
        warnings.warn(msg + " -- skipped.", stacklevel=3)
    model.load_state_dict(kept, strict=False)


# --------------------------------------------------------------------- json & cloning
def model_to_json(model, **kwargs) -> str:
    """``model.to_json()``: the Keras 3 config of the model as a JSON string."""
    return json.dumps(model_config.model_config(model), default=_json_default, **kwargs)


def model_from_json(json_string, custom_objects: dict | None = None, safe_mode: bool = True):
    """A model from ``to_json`` output (Keras 3) or a tf-keras/Keras 2 ``model.to_json()`` string."""
    config = file_utils.load_json(json_string, "model JSON")
    if not isinstance(config, dict):
        raise ValueError("The model JSON must describe an object with 'class_name' and 'config'.")
    keras2 = None
    version = config.get("keras_version")
    if isinstance(version, str):
        keras2 = version.split(".")[0] in ("1", "2")
    return model_config.model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode,
                                          keras2_semantics=keras2)


def _default_clone(layer):
    from kerastorch.layers.input_layer import TorchOpLayer
    if isinstance(layer, TorchOpLayer):
        return TorchOpLayer(layer.func)
    if hasattr(layer, "layers") and hasattr(layer, "get_config") and _is_model(layer):
        return clone_model(layer)
    return type(layer).from_config(layer.get_config())


def _is_model(layer) -> bool:
    from kerastorch.models.model import Model
    return isinstance(layer, Model)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None, recursive: bool = False,
                **kwargs):
    """A new model with the same architecture and freshly initialized weights (``keras.models.clone_model``)."""
    from kerastorch.backend import tree
    from kerastorch.layers.input_layer import Input, InputLayer, KerasTensor
    from kerastorch.models.functional import Functional
    from kerastorch.models.sequential import Sequential
    clone_function = clone_function or _default_clone
    if isinstance(model, Sequential):
        layers = [clone_function(layer) for layer in model.layers]
        new = Sequential(name=model.name)
        if input_tensors is not None:
            first = tree.flatten(input_tensors)[0]
            new.add(first)
        elif model._input_layer is not None:
            src = model._input_layer
            new.add(InputLayer(batch_shape=src.batch_shape, dtype=src.dtype, name=src.name))
        for layer in layers:
            new.add(layer)
        return new
    if isinstance(model, Functional):
        if input_tensors is not None:
            new_inputs = tree.flatten(input_tensors)
            if len(new_inputs) != len(model.inputs):
                raise ValueError(f"clone_model: the model has {len(model.inputs)} inputs, {len(new_inputs)} "
                                 "input tensors were given.")
        else:
            new_inputs = [Input(batch_shape=t.shape, dtype=t.dtype, name=t._keras_history.layer.name)
                          for t in model.inputs]
        mapping = {id(old): new for old, new in zip(model.inputs, new_inputs)}
        clones = {}
        for node in model._run_nodes:
            layer = node.layer
            if id(layer) not in clones:
                clones[id(layer)] = clone_function(layer)
            new_layer = clones[id(layer)]

            def sub(x):
                return mapping[id(x)] if type(x) is KerasTensor else x
            args = [_map_structure(sub, a) for a in node.call_args]
            kw = {k: _map_structure(sub, v) for k, v in node.call_kwargs.items()}
            if call_function is not None:
                out = call_function(new_layer, *args, **kw)
            else:
                out = new_layer(*args, **kw)
            for old, new in zip(node.flat_outputs, tree.flatten(out)):
                mapping[id(old)] = new
        inputs = tree.pack_sequence_as(model._inputs_struct, new_inputs) \
            if isinstance(model._inputs_struct, (list, tuple, dict)) else new_inputs[0]
        outputs = tree.map_structure(lambda t: mapping[id(t)], model._outputs_struct)
        return Functional(inputs, outputs, name=model.name)
    if not hasattr(model, "get_config"):
        raise ValueError(f"clone_model expects a Keras model; received {type(model).__name__}.")
    try:
        return type(model).from_config(model.get_config())
    except (TypeError, NotImplementedError) as e:
        raise ValueError(f"Cannot clone the subclassed model {type(model).__name__}: its from_config/get_config "
                         f"cannot rebuild it ({e}). Implement get_config() and from_config().") from e


def _map_structure(fn, value):
    if isinstance(value, (list, tuple)):
        return type(value)(_map_structure(fn, v) for v in value)
    if isinstance(value, dict):
        return {k: _map_structure(fn, v) for k, v in value.items()}
    return fn(value)
