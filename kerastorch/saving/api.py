"""``load_model``/``load_weights``/``save_model``/``save_weights`` and the JSON entry points.

Writing picks the format from the path's suffix (as Keras does); reading detects it from
the file's content, never from its name, with one table shared by ``load_model`` and
``load_weights`` (``detect``):

| content                                        | kind              |
|------------------------------------------------|-------------------|
| zip with ``config.json``/``model.weights.h5``  | ``keras``         |
| zip with ``*/data.pkl`` (or a pickle)          | ``torch``         |
| HDF5, ``@model_config`` + ``model_weights/``   | ``legacy_model``  |
| HDF5, ``@layer_names``                         | ``legacy_weights``|
| HDF5, ``layers/`` or ``vars/`` groups          | ``keras3_weights``|

Every write goes to a temporary file in the destination folder and is renamed into
place (``saving.atomic``), so an interrupted save never leaves a half-written file.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import warnings
import zipfile

import h5py

import kerastorch.saving.config_dialects as config_dialects
import kerastorch.saving.file_utils as file_utils
import kerastorch.saving.optimizer_state as optimizer_state
from kerastorch._core.version import __version__ as kerastorch_version
from kerastorch.layers.serialization import load_context
from kerastorch.models.functional_config import model_config, model_from_config
from kerastorch.saving.file_utils import FileFormatError
from kerastorch.saving.formats import keras_v3, keras_v3_assets, legacy_h5, sharded, torch_state

_KERAS_VERSION = "3.0.0"  # the file-format generation kerastorch writes (Keras 3 semantics)


def _check_overwrite(path: str, overwrite: bool) -> bool:
    if overwrite or not os.path.exists(path):
        return True
    warnings.warn(f"Not saving: {path!r} already exists and overwrite=False.", stacklevel=3)
    return False


# --------------------------------------------------------------------- saving
def save_model(model, filepath, overwrite: bool = True, zipped: bool | None = None, **kwargs) -> None:
    """``model.save(filepath)``: ``.keras`` (Keras 3 archive) or ``.h5``/``.hdf5`` (legacy tf-keras layout).

    ``zipped=False`` writes the archive's members (``config.json``, ``metadata.json``,
    ``model.weights.h5``, ``assets/``) into the folder ``filepath`` instead, as Keras does;
    ``load_model`` reads such a folder. ``include_optimizer`` (default True) is a keyword.
    """
    path = os.fspath(filepath)
    include_optimizer = kwargs.pop("include_optimizer", True)
    if zipped is False:
        if path.lower().endswith(".keras"):
            raise ValueError("When using `zipped=False`, the `filepath` argument should not end in `.keras` (it "
                             f"names a folder). Received: filepath={path}")
        if os.path.exists(path) and not os.path.isdir(path):
            raise ValueError(f"`zipped=False` saves into a folder, but {path!r} is a file.")
        if os.path.isdir(path) and os.listdir(path) and not _check_overwrite(path, overwrite):
            return
        _save_keras_dir(model, path, include_optimizer)
        return
    if kwargs.get("save_format") not in (None, "keras", "h5", "tf"):
        raise ValueError(f"Unknown save_format {kwargs['save_format']!r}; use a '.keras' or '.h5' path.")
    lower = path.lower()
    if kwargs.get("save_format") == "h5" and not lower.endswith((".h5", ".hdf5")):
        lower += ".h5"
    if not _check_overwrite(path, overwrite):
        return
    if lower.endswith(".keras"):
        config = model_config(model)
        compile_config = config_dialects.compile_config(model) if include_optimizer else None
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


def _save_keras_dir(model, path: str, include_optimizer: bool) -> None:
    """The members of a ``.keras`` archive, written into the folder ``path`` (Keras's ``zipped=False``)."""
    config = model_config(model)
    compile_config = config_dialects.compile_config(model) if include_optimizer else None
    if compile_config is not None:
        config["compile_config"] = compile_config
    buffer = io.BytesIO()
    keras_v3.write_archive(buffer, model, config, _KERAS_VERSION, include_optimizer=include_optimizer)
    os.makedirs(path, exist_ok=True)
    with zipfile.ZipFile(buffer) as zf:
        for name in zf.namelist():
            target = os.path.join(path, *name.split("/"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            file_utils.atomic_write_bytes(target, zf.read(name))


def _save_legacy_model(model, path: str, include_optimizer: bool) -> None:
    text, semantics = config_dialects.keras2_model_config(model)
    with file_utils.atomic_path(path) as tmp:
        with h5py.File(tmp, "w") as f:
            f.attrs["backend"] = b"torch"
            f.attrs["keras_version"] = _KERAS_VERSION.encode()
            f.attrs["kerastorch_version"] = str(kerastorch_version).encode()
            f.attrs["activation_semantics"] = semantics.encode()
            f.attrs["model_config"] = text.encode("utf-8")
            if include_optimizer:
                training = config_dialects.keras2_training_config(model)
                if training is not None:
                    f.attrs["training_config"] = json.dumps(training, default=config_dialects.json_default) \
                        .encode("utf-8")
            legacy_h5.write_weights_group(f.create_group("model_weights"), model, "torch", _KERAS_VERSION)
            if include_optimizer:
                legacy_h5.write_optimizer_weights(f, getattr(model, "optimizer", None), model)


def save_weights(model, filepath, overwrite: bool = True, max_shard_size: float | None = None, **kwargs) -> None:
    """``model.save_weights``: ``.weights.h5`` (Keras 3), ``.h5``/``.hdf5`` (legacy), ``.pt``/``.pth`` (torch).

    With ``max_shard_size`` (GB) the Keras 3 weights are split as Keras splits them: an index
    ``x.weights.json`` next to ``x_00000.weights.h5``, ``x_00001.weights.h5``...
    """
    path = os.fspath(filepath)
    lower = path.lower()
    if max_shard_size is not None:
        if not lower.endswith(("weights.h5", "weights.json")):
            raise ValueError("The filename must end in `.weights.json` when `max_shard_size` is specified. "
                             f"Received: filepath={path}")
        if _check_overwrite(path, overwrite):
            sharded.save_sharded(model, path, max_shard_size)
        return
    if lower.endswith(".json"):
        raise ValueError(f"{path!r}: a `.weights.json` index is written only for sharded weights; pass "
                         "`max_shard_size=` (GB per shard), or save to a `.weights.h5` path.")
    if not _check_overwrite(path, overwrite):
        return
    if lower.endswith(".weights.h5"):
        with file_utils.atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                keras_v3.write_model(f, model, include_optimizer=True)
        return
    if lower.endswith((".h5", ".hdf5")):
        with file_utils.atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                legacy_h5.write_weights_group(f, model, "torch", _KERAS_VERSION)
        return
    if lower.endswith((".pt", ".pth")):
        torch_state.save_state_dict(model, path)
        return
    if lower.endswith(".keras"):
        raise ValueError(f"save_weights() does not write .keras archives ({path!r}); use `model.save(path)` "
                         "for the whole model, or a `.weights.h5` path for the weights.")
    raise ValueError(f"Invalid filepath for save_weights: {path!r}. The filename must end in `.weights.h5` "
                     "(Keras 3 format), `.h5` (legacy Keras format) or `.pt` (a torch state_dict).")


# --------------------------------------------------------------------- format detection
def detect(path: str, safe_mode: bool | None = None) -> str:
    """The kind of file at ``path`` (see the module docstring), from its content."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"File not found: {path!r}.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"{path!r} is a directory, not a Keras model or weights file (TensorFlow "
                                "SavedModel directories cannot be loaded by kerastorch).")
    label = repr(path)
    kind = file_utils.sniff(path)
    if kind == "zip":
        zkind = file_utils.zip_kind(path)
        if zkind in ("keras", "torch"):
            return zkind
        raise FileFormatError(f"{label} is a zip file but not a .keras model archive (no config.json) nor a torch "
                              "checkpoint.")
    if kind == "pickle":
        return "torch"
    if kind == "hdf5":
        f = file_utils.open_h5(path, safe_mode=safe_mode)
        try:
            with file_utils.reading(path, "inspect"):
                if "model_config" in f.attrs:
                    return "legacy_model"
                if file_utils.has_name_list(f, "layer_names"):
                    return "legacy_weights"
                if keras_v3.is_keras3_weights(f):
                    return "keras3_weights"
        finally:
            f.close()
        raise FileFormatError(f"{label} is an HDF5 file without a Keras model or weights (no model_config or "
                              "'layer_names' attribute, no 'layers'/'vars' groups).")
    if kind == "empty":
        raise FileFormatError(f"{label} is empty.")
    raise FileFormatError(f"{label} is not a file kerastorch can read: expected a .keras archive, HDF5 (.h5 / "
                          ".weights.h5) or a torch checkpoint (.pt) (unrecognized content).")


# --------------------------------------------------------------------- loading
def load_model(filepath, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True):
    """A model from a ``.keras`` archive, a folder saved with ``zipped=False``, or a legacy ``.h5`` file."""
    path = os.fspath(filepath)
    if os.path.isdir(path) and os.path.isfile(os.path.join(path, keras_v3.CONFIG_FILENAME)):
        return _load_keras_dir(path, custom_objects, compile, safe_mode)
    kind = detect(path, safe_mode)
    if kind == "keras":
        return _load_keras_archive(path, custom_objects, compile, safe_mode)
    if kind == "legacy_model":
        f = file_utils.open_h5(path, safe_mode=safe_mode)
        try:
            return _load_legacy_model(f, path, custom_objects, compile, safe_mode)
        finally:
            f.close()
    what = "PyTorch weights (a state_dict)" if kind == "torch" else "only weights"
    raise ValueError(f"{path!r} holds {what}, not a model architecture: build the model in code and call "
                     "`model.load_weights(path)`.")


# Errors a malformed config raises while the model is rebuilt: a user-file problem, reported as a
# ValueError naming the file. Anything else (RuntimeError from torch, RecursionError...) keeps its type.
_CONFIG_ERRORS = (ValueError, TypeError, KeyError, AttributeError, IndexError)


def _rebuild(config, path, custom_objects, safe_mode, keras2):
    """The model described by a file's config; a malformed config becomes a ValueError naming the file."""
    try:
        return model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode,
                                 keras2_semantics=keras2)
    except _CONFIG_ERRORS as e:
        raise ValueError(f"Could not rebuild the model stored in {path!r}: {type(e).__name__}: {e}") from e


def _compile(model, compile_config: dict, custom_objects, safe_mode, label: str) -> None:
    """``model.compile_from_config``; as in Keras, a config that cannot be compiled leaves the model uncompiled."""
    with load_context(custom_objects=custom_objects, safe_mode=safe_mode):
        try:
            model.compile_from_config(compile_config)
        except (ValueError, TypeError) as e:
            warnings.warn(f"Could not compile the model loaded from {label} with its saved training "
                          f"configuration ({type(e).__name__}: {e}). The model was *not* compiled; compile it "
                          "manually.", stacklevel=3)


def _load_legacy_model(f, path: str, custom_objects, compile: bool, safe_mode: bool):
    size = file_utils.file_size(path)
    with file_utils.reading(path, "read the model config of"):
        config = file_utils.load_json(file_utils.read_string_attr(f, "model_config"), f"model_config of {path!r}")
        training_text = file_utils.read_string_attr(f, "training_config")
        keras2 = config_dialects.keras2_semantics(f)
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
        _compile(model, config_dialects.training_config_to_compile_config(training), custom_objects, safe_mode,
                 repr(path))
        opt_data = legacy_h5.read_optimizer_weights(f, path, size)
        if opt_data is not None and getattr(model, "optimizer", None) is not None:
            names, arrays = opt_data
            _restore_legacy_optimizer(model, names, arrays, label=repr(path))
    return model


def _restore_legacy_optimizer(model, names: list, arrays: list, label: str) -> None:
    opt = model.optimizer
    try:
        if not getattr(opt, "built", False):
            opt.build(model.trainable_weights)
        if len(arrays) == len(opt.variables):
            optimizer_state.set_from_keras_layout(model, opt, arrays)
            return
        state = optimizer_state.tf_keras_optimizer_state(opt, names, arrays)
        opt.set_state(optimizer_state.state_from_keras_layout(model, opt, state))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError) as e:
        warnings.warn(f"Could not restore the optimizer state saved in {label} ({e}); the optimizer starts "
                      "fresh.", stacklevel=3)


def _load_keras_dir(path: str, custom_objects, compile: bool, safe_mode: bool):
    """A ``zipped=False`` folder: its members zipped (stored, in a temporary file) and read as an archive,
    so a folder goes through the same checks as a ``.keras`` file."""
    members = []
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(root, name)
            rel = os.path.relpath(full, path).replace(os.sep, "/")
            if rel in (keras_v3.CONFIG_FILENAME, keras_v3.METADATA_FILENAME, keras_v3.WEIGHTS_FILENAME) \
                    or rel.startswith("assets/"):
                members.append((full, rel))
    with tempfile.TemporaryDirectory() as tmp:
        archive = os.path.join(tmp, os.path.basename(os.path.normpath(path)) + ".keras")
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zf:
            for full, rel in members:
                zf.write(full, rel)
        return _load_keras_archive(archive, custom_objects, compile, safe_mode)


def _load_keras_archive(path: str, custom_objects, compile: bool, safe_mode: bool):
    config, weights = keras_v3.read_archive(path)
    if not isinstance(config, dict):
        raise FileFormatError(f"{path!r} has no valid config.json: it cannot be loaded as a model (use "
                              "`load_weights` to read its weights into a model built in code).")
    config = dict(config)
    compile_config = config.pop("compile_config", None)
    f = file_utils.open_h5(weights, path, size=len(weights), safe_mode=safe_mode)
    try:
        tree = keras_v3.read_tree(f, path, len(weights))
    finally:
        f.close()
    model = _rebuild(config, path, custom_objects, safe_mode, False)
    keras_v3.load_into_model(model, tree, repr(path))
    keras_v3_assets.load_own_variables(model, tree)
    keras_v3_assets.load_assets(path, model)
    if compile and compile_config:
        _compile(model, compile_config, custom_objects, safe_mode, repr(path))
        keras_v3.restore_optimizer(model, tree, repr(path))
    return model


def load_weights(model, filepath, skip_mismatch: bool = False, **kwargs) -> None:
    """``model.load_weights``: any supported format, detected from the file's content.

    Keyword extras, as Keras: ``by_name=True`` matches layers by name (legacy ``.h5``; here every
    format); ``safe_mode=False`` lets HDF5 external links through. A sharded ``.weights.json``
    index loads its shards.
    """
    path = os.fspath(filepath)
    by_name = bool(kwargs.pop("by_name", False))
    # safe_mode=False lets HDF5 external links / virtual datasets through (see hdf5_safety).
    safe_mode = kwargs.pop("safe_mode", None)
    if kwargs:
        raise ValueError(f"Invalid keyword arguments for load_weights: {kwargs}. Accepted: skip_mismatch, by_name, "
                         "safe_mode.")
    if sharded.is_sharded_index(path):
        merged = sharded.merge_shards(path, safe_mode)
        _load_h5_weights(model, merged, path, len(merged), by_name, skip_mismatch, safe_mode)
        return
    kind = detect(path, safe_mode)
    if kind == "torch":
        torch_state.load_state_dict(model, path, by_name, skip_mismatch)
    elif kind == "keras":
        _, weights = keras_v3.read_archive(path)
        _load_h5_weights(model, weights, path, len(weights), by_name, skip_mismatch, safe_mode)
    else:
        _load_h5_weights(model, path, path, file_utils.file_size(path), by_name, skip_mismatch, safe_mode)


def _load_h5_weights(model, source, path, size: int, by_name: bool, skip_mismatch: bool,
                     safe_mode: bool | None = None) -> None:
    f = file_utils.open_h5(source, path, size=size, safe_mode=safe_mode)
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
        if not by_name:
            keras_v3_assets.load_own_variables(model, tree)
        if getattr(model, "optimizer", None) is not None and "optimizer" in tree.children:
            keras_v3.restore_optimizer(model, tree, repr(path))


# --------------------------------------------------------------------- json
def model_to_json(model, **kwargs) -> str:
    """``model.to_json()``: the Keras 3 config of the model as a JSON string."""
    return json.dumps(model_config(model), default=config_dialects.json_default, **kwargs)


def model_from_json(json_string, custom_objects: dict | None = None, safe_mode: bool = True):
    """A model from ``to_json`` output (Keras 3) or a tf-keras/Keras 2 ``model.to_json()`` string."""
    config = file_utils.load_json(json_string, "model JSON")
    if not isinstance(config, dict):
        raise ValueError("The model JSON must describe an object with 'class_name' and 'config'.")
    return model_from_config(config, custom_objects=custom_objects, safe_mode=safe_mode,
                             keras2_semantics=config_dialects.json_keras2_semantics(config))
