"""``keras.saving.KerasFileEditor``: inspect, edit and resave a Keras 3 weights file.

The file (``.keras`` archive or ``.weights.h5``) is read once into a nested dict that
mirrors its HDF5 groups, with each object's ``vars`` group folded into the object
(``{"layers": {"dense": {"0": kernel, "1": bias}}}``), as Keras's editor shows it. Edits
change that dict; ``save`` writes it back in the Keras 3 layout (``<path>/vars/<i>``),
so a model whose architecture changed can load the edited file. ``compare`` lays a
model's own weights out the same way (through the one Keras 3 writer) and lists the
differences. Reading goes through ``file_utils.open_h5`` (HDF5 pre-read checks) and the
archive reader (zip checks); links and virtual datasets are refused, as in Keras.
"""
from __future__ import annotations

import collections
import io
import os
import zipfile
from typing import Any, Callable

import h5py
import numpy as np

import kerastorch.saving.file_utils as file_utils
from kerastorch.saving.file_utils import FileFormatError
from kerastorch.saving.formats import keras_v3


def _extract(group: h5py.Group, metadata: dict, inner_path: str = "") -> "collections.OrderedDict[str, Any]":
    """The nested dict of ``group`` (vars groups folded in, empty groups left out) and each group's attrs."""
    attrs = {k: v for k, v in group.attrs.items()}
    if attrs:
        metadata[inner_path] = attrs
    result: collections.OrderedDict[str, Any] = collections.OrderedDict()
    for key in group.keys():
        path = f"{inner_path}/{key}"
        link = group.get(key, default=None, getclass=True, getlink=True)
        if link in (h5py.ExternalLink, h5py.SoftLink):
            raise FileFormatError(f"Not allowed: H5 file with {link.__name__} at {path}")
        value = group[key]
        if isinstance(value, h5py.Group):
            if len(value) == 0:
                continue
            if "vars" in value.keys():
                inner = value["vars"]
                if len(inner) == 0:
                    continue
                result[key] = _extract(inner, metadata, path)
            else:
                result[key] = _extract(value, metadata, path)
        elif isinstance(value, h5py.Dataset):
            if value.external or value.is_virtual:
                raise FileFormatError(f"Not allowed: H5 dataset with external storage or a virtual layout at {path}")
            result[key] = value[()]
    return result


def _model_weights(model: Any) -> "collections.OrderedDict[str, Any]":
    """``model``'s weights laid out as its ``.weights.h5`` file would hold them."""
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        keras_v3.write_model(f, model, include_optimizer=False)
    with h5py.File(buffer, "r") as f:
        return _extract(f, {})


class KerasFileEditor:
    """Inspect, edit and resave a Keras weights file (``.keras`` or ``.weights.h5``).

    Example::

        editor = KerasFileEditor("my_model.weights.h5")
        editor.summary()                                  # the weights structure
        editor.delete_object("layers/dense_2")            # drop a layer's weights
        editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
        editor.resave_weights("edited_model.weights.h5")  # load into the changed model
    """

    def __init__(self, filepath):
        self.filepath = os.fspath(filepath)
        self.metadata: dict | None = None
        self.config: dict | None = None
        self.model = None
        if self.filepath.endswith(".keras"):
            self.config, weights = keras_v3.read_archive(self.filepath)
            self.metadata = _read_archive_json(self.filepath, keras_v3.METADATA_FILENAME)
            size = len(weights) if isinstance(weights, (bytes, bytearray)) else file_utils.file_size(self.filepath)
            f = file_utils.open_h5(weights, self.filepath, size=size)
        elif self.filepath.endswith(".weights.h5"):
            f = file_utils.open_h5(self.filepath)
        else:
            raise ValueError(f"Invalid filename: expected a `.keras` `.weights.h5` extension. Received: "
                             f"filepath={self.filepath}")
        try:
            with file_utils.reading(self.filepath, "read the weights of"):
                self.object_metadata: dict = {}
                self.weights_dict = _extract(f, self.object_metadata)
        finally:
            f.close()
        print(f"Keras model file '{self.filepath}'")
        if self.metadata is not None:
            print(f"Saved with Keras {self.metadata.get('keras_version')} - date: {self.metadata.get('date_saved')}")

    # ------------------------------------------------------------------ inspecting
    def summary(self) -> None:
        """Print the weights structure of the opened file."""
        print("Weights structure")
        self._print_structure(self.weights_dict, prefix="  ", inner_path="")

    def _print_structure(self, weights: dict, prefix: str, inner_path: str, first: bool = True) -> None:
        items = list(weights.items())
        for index, (key, value) in enumerate(items):
            path = f"{inner_path}/{key}"
            last = index == len(items) - 1
            connector = "> " if first else "└─ " if last else "├─ "
            first = False
            if isinstance(value, dict):
                label = f"{prefix}{connector}{key}"
                name = self.object_metadata.get(path, {}).get("name")
                if name is not None:
                    label += f" ('{file_utils.decode(name)}')"
                print(label)
                self._print_structure(value, prefix + ("    " if last else "│   "), path, first=False)
            elif hasattr(value, "shape"):
                print(f"{prefix}{connector}{key}: shape={value.shape}, dtype={value.dtype}")
            else:
                print(f"{prefix}{connector}{key}: {value}")

    def compare(self, reference_model: Any) -> dict:
        """List the differences between the file and ``reference_model``'s weights.

        Returns ``{"status": "success" | "error", "error_count": n, "match_count": m}``.
        """
        print("Running comparison")
        reference = _model_weights(reference_model)
        checked: set[str] = set()
        errors, matches = _compare(self.weights_dict, reference, "", "saved file", "reference model", checked)
        back_errors, _ = _compare(reference, self.weights_dict, "", "reference model", "saved file", checked)
        errors += back_errors
        print("─────────────────────")
        if errors == 0:
            print("Comparison successful: saved file is compatible with the reference model")
            print(f"    Found {matches} matching weight{'' if matches == 1 else 's'}")
        else:
            print(f"Found {errors} error{'' if errors == 1 else 's'}: saved file is not compatible with the "
                  "reference model")
        return {"status": "success" if errors == 0 else "error", "error_count": errors, "match_count": matches}

    # ------------------------------------------------------------------ editing
    def _edit_object(self, edit: Callable, source_name: str, target_name: str | None = None) -> None:
        if target_name is not None and "/" in target_name:
            raise ValueError(f"Argument `target_name` should be a leaf name, not a full path name. Received: "
                             f"target_name='{target_name}'")
        if "/" in source_name:
            parts = source_name.split("/")
            parent = self.weights_dict
            for part in parts[:-1]:
                if part not in parent or not isinstance(parent[part], dict):
                    raise ValueError(f"Path '{source_name}' not found in model.")
                parent = parent[part]
            if parts[-1] not in parent:
                raise ValueError(f"Path '{source_name}' not found in model.")
            edit(parent, parts[-1], target_name)
            return
        holders = _holders(self.weights_dict, source_name)
        if len(holders) > 1:
            raise ValueError(f"Name '{source_name}' occurs more than once in the model; try passing a complete path")
        if not holders:
            raise ValueError(f"Source name '{source_name}' does not appear in the model. Use `editor.summary()` to "
                             "list all objects.")
        edit(holders[0], source_name, target_name)

    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object (e.g. a layer): ``object_name`` is a name (``"dense_2"``) or a path."""
        def rename(parent: dict, source: str, target: str | None) -> None:
            parent[target] = parent.pop(source)
        self._edit_object(rename, object_name, new_name)

    def delete_object(self, object_name: str) -> None:
        """Remove an object (e.g. a layer) and its weights: a name (``"dense_2"``) or a path."""
        def delete(parent: dict, source: str, target: str | None) -> None:
            parent.pop(source)
        self._edit_object(delete, object_name)

    def add_object(self, object_path: str, weights: dict) -> None:
        """Insert an object at ``object_path`` (e.g. ``"layers/dense_2"``) with ``weights`` ({"0": array, ...})."""
        _check_weights(weights)
        parent = self.weights_dict
        parts = object_path.split("/")
        for part in parts[:-1]:
            if part not in parent or not isinstance(parent[part], dict):
                raise ValueError(f"Path '{'/'.join(parts[:-1])}' not found in model.")
            parent = parent[part]
        parent[parts[-1]] = dict(weights)

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove the weight ``weight_name`` (e.g. ``"0"``) from an object."""
        def delete(parent: dict, source: str, target: str | None) -> None:
            if not isinstance(parent[source], dict) or weight_name not in parent[source]:
                found = list(parent[source]) if isinstance(parent[source], dict) else []
                raise ValueError(f"Weight {weight_name} not found in object {object_name}. Weights found: {found}")
            parent[source].pop(weight_name)
        self._edit_object(delete, object_name)

    def add_weights(self, object_name: str, weights: dict) -> None:
        """Insert weights ({"2": array, ...}) to an existing object."""
        _check_weights(weights)

        def add(parent: dict, source: str, target: str | None) -> None:
            parent[source].update(weights)
        self._edit_object(add, object_name)

    # ------------------------------------------------------------------ saving
    def save(self, filepath) -> None:
        """Write the edited weights to ``filepath`` (a ``.weights.h5`` file, Keras 3 layout)."""
        path = os.fspath(filepath)
        if not path.endswith(".weights.h5"):
            raise ValueError(f"Invalid `filepath` argument: expected a `.weights.h5` extension. Received: "
                             f"filepath={path}")
        with file_utils.atomic_path(path) as tmp:
            with h5py.File(tmp, "w") as f:
                _write(f, self.weights_dict, "")

    def resave_weights(self, filepath) -> None:
        """Same as ``save``."""
        self.save(filepath)


def _holders(weights: dict, name: str) -> list[dict]:
    found = [weights] if name in weights else []
    for value in weights.values():
        if isinstance(value, dict):
            found.extend(_holders(value, name))
    return found


def _check_weights(weights: Any) -> None:
    if not isinstance(weights, dict):
        raise ValueError("Argument `weights` should be a dict where keys are weight names (usually '0', '1', etc.) "
                         f"and values are NumPy arrays. Received: type(weights)={type(weights)}")


def _compare(target: dict, reference: dict, inner_path: str, target_name: str, ref_name: str,
             checked: set, errors: int = 0, matches: int = 0) -> tuple[int, int]:
    # The counts are Keras's: a nested object starts from the running totals and its result is added to
    # them, so `match_count` equals what Keras 3.15's editor reports for the same file and model.
    for key, ref_value in reference.items():
        path = f"{inner_path}/{key}"
        if path in checked:
            continue
        if key not in target:
            errors += 1
            checked.add(path)
            kind = "Object" if isinstance(ref_value, dict) else "Weight"
            print(f"...{kind} {path} present in {ref_name}, missing from {target_name}")
            if isinstance(ref_value, dict):
                print(f"    In {ref_name}, {path} contains the following keys: {list(ref_value)}")
        elif isinstance(ref_value, dict):
            if not isinstance(target[key], dict):
                errors += 1
                checked.add(path)
                print(f"...{path} is an object in {ref_name} but a weight in {target_name}")
                continue
            e, m = _compare(target[key], ref_value, path, target_name, ref_name, checked, errors, matches)
            errors, matches = errors + e, matches + m
        elif np.shape(target[key]) != np.shape(ref_value):
            errors += 1
            checked.add(path)
            print(f"...Weight shape mismatch for {path}\n    In {ref_name}: shape={np.shape(ref_value)}\n"
                  f"    In {target_name}: shape={np.shape(target[key])}")
        else:
            matches += 1
    return errors, matches


def _write(f: h5py.File, weights: dict, inner_path: str) -> None:
    arrays = {}
    for name, value in weights.items():
        if isinstance(value, dict):
            if value:
                _write(f, value, f"{inner_path}/{name}" if inner_path else name)
        else:
            arrays[name] = value
    if arrays:
        group = f.require_group(f"{inner_path}/vars" if inner_path else "vars")
        for name, value in arrays.items():
            group.create_dataset(name, data=np.asarray(value))


def _read_archive_json(path: str, member: str) -> dict | None:
    with file_utils.reading(path, f"read {member} from"):
        with zipfile.ZipFile(path) as zf:
            if member not in zf.namelist():
                return None
            if zf.getinfo(member).file_size > file_utils.MAX_JSON_BYTES:
                raise FileFormatError(f"{member} in {file_utils.describe(path)} is too large.")
            data = file_utils.load_json(zf.read(member), f"{member} of {file_utils.describe(path)}")
    return data if isinstance(data, dict) else None


__all__ = ["KerasFileEditor"]
