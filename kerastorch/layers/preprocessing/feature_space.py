"""``keras.utils.FeatureSpace``: one object that preprocesses and encodes a dict of structured features.

Each feature is a ``Feature`` (a dtype, a preprocessing layer, an output mode); crosses are
``Cross`` specs hashed by ``HashedCrossing``. The FeatureSpace runs each feature's preprocessor,
crosses the preprocessed values, one-hot encodes the ``"one_hot"`` outputs with a multi-hot
``CategoryEncoding`` of the preprocessor's cardinality, and returns either a dict (keys: feature
and cross names) or one vector concatenated in Keras's order: feature names sorted, then cross
names sorted.

Keras runs all of this in TensorFlow (``tf.data`` for ``adapt``, TF tensors inside ``__call__``).
kerastorch's preprocessing layers already take numpy string arrays and torch tensors, so here
``adapt`` takes a dict of arrays/lists (cut into batches of 32, as Keras's ``from_tensor_slices``
+ ``batch(32)`` does, which matters for the quantile sketch of ``Discretization``) or any iterable
of dict batches (a torch ``DataLoader``, a ``PyDataset``, a list of dicts; ``(x, y)`` batches use
``x``), and ``__call__`` returns torch tensors. Configs and class/module names in saved files are
Keras's. ``keras.utils`` lies below ``layers`` in the import floors, so ``kerastorch.utils``
reaches this class lazily (its ``_LAZY`` table), as it does ``keras.utils.plot_model``.
"""
from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
from torch import nn

from kerastorch._core import naming
from kerastorch.layers.input_layer import Input
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.category_encoding import CategoryEncoding
from kerastorch.layers.preprocessing.discretization import Discretization
from kerastorch.layers.preprocessing.hashed_crossing import HashedCrossing
from kerastorch.layers.preprocessing.hashing import Hashing
from kerastorch.layers.preprocessing.integer_lookup import IntegerLookup
from kerastorch.layers.preprocessing.normalization import Normalization
from kerastorch.layers.preprocessing.rescaling import Rescaling
from kerastorch.layers.preprocessing.string_lookup import StringLookup
from kerastorch.layers.preprocessing.text_vectorization import TextVectorization
from kerastorch.layers.serialization import (
    deserialize_keras_object,
    register_builtin_class,
    serialize_keras_object,
)

# Keras writes these helper classes under their private module path.
_KERAS_MODULE = "keras.src.layers.preprocessing.feature_space"
_FEATURE_TYPES = ("float", "float_normalized", "float_rescaled", "float_discretized", "integer_categorical",
                  "string_categorical", "integer_hashed", "string_hashed")
# Keras's `adapt` batches unbatched dict data by 32 before handing it to each preprocessor.
_ADAPT_BATCH_SIZE = 32


class Cross:
    """A feature cross: the features to cross, the hashing space size and the output mode."""

    _keras_module = _KERAS_MODULE

    def __init__(self, feature_names: Iterable[str], crossing_dim: int, output_mode: str = "one_hot") -> None:
        if output_mode not in {"int", "one_hot"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                             f"Received: output_mode={output_mode}")
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self) -> str:
        return "_X_".join(self.feature_names)

    def get_config(self) -> dict:
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim,
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> Cross:
        return cls(**config)


class Feature:
    """One input feature: its dtype (``"float32"``, ``"int32"``, ``"string"``), preprocessor and output mode."""

    _keras_module = _KERAS_MODULE

    def __init__(self, dtype: str, preprocessor: Any, output_mode: str) -> None:
        if output_mode not in {"int", "one_hot", "float"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', "
                             f"'float'}}. Received: output_mode={output_mode}")
        self.dtype = dtype
        if isinstance(preprocessor, dict):
            preprocessor = deserialize_keras_object(preprocessor)
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self) -> dict:
        return {"dtype": self.dtype, "preprocessor": serialize_keras_object(self.preprocessor),
                "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config: dict) -> Feature:
        return cls(**config)


class TFDIdentity(Layer):
    """The preprocessor of a plain ``"float"`` feature: the values pass through."""

    _keras_module = _KERAS_MODULE

    def call(self, inputs: Any) -> Any:
        return inputs

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict:
        # Keras's config of this helper holds only the base keys.
        config = super().get_config()
        return {key: config[key] for key in ("name", "dtype", "trainable") if key in config}


class TFDConcat(Layer):
    """Concatenates the encoded features of a ``"concat"`` FeatureSpace."""

    _keras_module = _KERAS_MODULE

    def __init__(self, axis: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs: list) -> torch.Tensor:
        return torch.cat(list(inputs), dim=self.axis)


def _dtype_name(value: Any) -> str:
    """The Keras dtype string of a tensor, array or KerasTensor (``"string"`` for text arrays)."""
    dtype = value.dtype
    if isinstance(dtype, str):
        return dtype
    if isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    dtype = np.dtype(dtype)
    if dtype.kind in "USO":
        return "string"
    return dtype.name


def _to_host(value: Any) -> Any:
    """A batch column as numpy (strings stay str/object arrays); tensors come to the CPU."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


class FeatureSpace(Layer):
    """One-stop utility for preprocessing and encoding structured data (``keras.utils.FeatureSpace``).

    Arguments:
        features: dict mapping each feature name to its type, a string (``"float"``,
            ``"float_normalized"``, ``"float_rescaled"``, ``"float_discretized"``,
            ``"integer_categorical"``, ``"string_categorical"``, ``"integer_hashed"``,
            ``"string_hashed"``) or a spec from ``FeatureSpace.float(...)``, ``.feature(...)``, ...
        output_mode: ``"concat"`` (one float vector) or ``"dict"`` (one encoded tensor per feature
            and per cross).
        crosses: features to cross, as tuples of names or ``FeatureSpace.cross(...)`` specs.
        crossing_dim: hashing space of crosses given as tuples. Defaults to 32.
        hashing_dim: bins of ``"integer_hashed"``/``"string_hashed"`` features. Defaults to 32.
        num_discretization_bins: bins of ``"float_discretized"`` features. Defaults to 32.

    Call ``adapt(data)`` (a dict of arrays, or an iterable of dict batches such as a torch
    ``DataLoader``) before use; then call it on a dict of arrays/tensors (batched or one sample),
    or build a model from ``get_inputs()`` and ``get_encoded_features()``.
    """

    # Tells `deserialize_layer` to hand the build config (keyed by feature name, no `input_shape`) back.
    _build_config_by_name = True
    _keras_module = "keras.utils"
    _keras_exported = True  # written as {"module": "keras.utils", "registered_name": None}, as Keras does

    # ----------------------------------------------------------------- feature specs
    @classmethod
    def cross(cls, feature_names: Iterable[str], crossing_dim: int, output_mode: str = "one_hot") -> Cross:
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype: str, preprocessor: Any, output_mode: str) -> Feature:
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    # Keras's spec constructor; it hides nn.Module.float() (a dtype cast) on FeatureSpace, which holds no weights
    # of its own to cast (its preprocessors are cast one by one: fs.preprocessors[name].float()).
    def float(cls, name: str | None = None) -> Feature:  # type: ignore[override]
        name = name or naming.auto_name("float")
        return Feature(dtype="float32", preprocessor=TFDIdentity(dtype="float32", name=f"{name}_preprocessor"),
                       output_mode="float")

    @classmethod
    def float_rescaled(cls, scale: builtins.float = 1.0, offset: builtins.float = 0.0,
                       name: str | None = None) -> Feature:
        name = name or naming.auto_name("float_rescaled")
        return Feature(dtype="float32", output_mode="float",
                       preprocessor=Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"))

    @classmethod
    def float_normalized(cls, name: str | None = None) -> Feature:
        name = name or naming.auto_name("float_normalized")
        return Feature(dtype="float32", output_mode="float",
                       preprocessor=Normalization(axis=-1, name=f"{name}_preprocessor"))

    @classmethod
    def float_discretized(cls, num_bins: int, bin_boundaries: Any = None, output_mode: str = "one_hot",
                          name: str | None = None) -> Feature:
        name = name or naming.auto_name("float_discretized")
        preprocessor = Discretization(num_bins=num_bins, bin_boundaries=bin_boundaries,
                                      name=f"{name}_preprocessor")
        return Feature(dtype="float32", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                            output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.auto_name("integer_categorical")
        preprocessor = IntegerLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                     num_oov_indices=num_oov_indices)
        return Feature(dtype="int32", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def string_categorical(cls, max_tokens: int | None = None, num_oov_indices: int = 1,
                           output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.auto_name("string_categorical")
        preprocessor = StringLookup(name=f"{name}_preprocessor", max_tokens=max_tokens,
                                    num_oov_indices=num_oov_indices)
        return Feature(dtype="string", preprocessor=preprocessor, output_mode=output_mode)

    @classmethod
    def string_hashed(cls, num_bins: int, output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.auto_name("string_hashed")
        return Feature(dtype="string", output_mode=output_mode,
                       preprocessor=Hashing(name=f"{name}_preprocessor", num_bins=num_bins))

    @classmethod
    def integer_hashed(cls, num_bins: int, output_mode: str = "one_hot", name: str | None = None) -> Feature:
        name = name or naming.auto_name("integer_hashed")
        return Feature(dtype="int32", output_mode=output_mode,
                       preprocessor=Hashing(name=f"{name}_preprocessor", num_bins=num_bins))

    # ----------------------------------------------------------------- construction
    def __init__(self, features: dict, output_mode: str = "concat", crosses: Any = None, crossing_dim: int = 32,
                 hashing_dim: int = 32, num_discretization_bins: int = 32, name: str | None = None) -> None:
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if not isinstance(features, dict):
            raise TypeError("`features` must be a dict mapping feature names to feature types, e.g. "
                            f"{{'age': 'float_normalized'}}. Received: features={features!r} "
                            f"(of type {type(features).__name__})")
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.features = {key: self._standardize_feature(key, value) for key, value in features.items()}
        self.crosses: list[Cross] = []
        for cross in crosses or ():
            if isinstance(cross, dict):
                cross = deserialize_keras_object(cross)
            if not isinstance(cross, Cross):
                if not crossing_dim:
                    raise ValueError("When specifying `crosses`, the argument `crossing_dim` (dimensionality of "
                                     "the crossing space) should be specified as well.")
                cross = Cross(cross, crossing_dim=crossing_dim)
            unknown = [key for key in cross.feature_names if key not in self.features]
            if unknown:
                raise ValueError("All features referenced in the `crosses` argument should be present in the "
                                 f"`features` dict. Received unknown features: {cross.feature_names} "
                                 f"(not in `features`: {unknown})")
            self.crosses.append(cross)
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        if output_mode not in {"dict", "concat"}:
            raise ValueError("Invalid value for argument `output_mode`. Expected one of {'dict', 'concat'}. "
                             f"Received: output_mode={output_mode}")
        self.output_mode = output_mode
        self.inputs = {key: Input(shape=(1,), dtype=spec.dtype, name=key) for key, spec in self.features.items()}
        # Plain dicts, as in Keras (feature names may hold any character); the ModuleLists below
        # register the same layers with torch (device moves, train/eval, the saver's object walk).
        self.preprocessors = {key: spec.preprocessor for key, spec in self.features.items()}
        self.crossers = {cross.name: HashedCrossing(cross.crossing_dim, name=cross.name) for cross in self.crosses}
        self._preprocessors = nn.ModuleList(self.preprocessors.values())
        self._crossers = nn.ModuleList(self.crossers.values())
        self._one_hot_encoders = nn.ModuleList()
        self.one_hot_encoders: dict[str, CategoryEncoding] = {}
        self.encoded_features: Any = None
        self.concat: TFDConcat | None = None
        self._is_adapted = False
        self._preprocessed_features_names: list[str] | None = None
        self._crossed_features_names: list[str] | None = None
        self._sublayers_built = False

    def _standardize_feature(self, name: str, feature: Any) -> Feature:
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return deserialize_keras_object(feature)
        if feature == "float":
            return self.float(name=name)
        if feature == "float_normalized":
            return self.float_normalized(name=name)
        if feature == "float_rescaled":
            return self.float_rescaled(name=name)
        if feature == "float_discretized":
            return self.float_discretized(name=name, num_bins=self.num_discretization_bins)
        if feature == "integer_categorical":
            return self.integer_categorical(name=name)
        if feature == "string_categorical":
            return self.string_categorical(name=name)
        if feature == "integer_hashed":
            return self.integer_hashed(self.hashing_dim, name=name)
        if feature == "string_hashed":
            return self.string_hashed(self.hashing_dim, name=name)
        raise ValueError(f"Invalid feature type: {feature!r} (feature {name!r}). Expected one of {_FEATURE_TYPES} "
                         "or a spec such as `FeatureSpace.float_normalized()` / `FeatureSpace.feature(...)`.")

    # ----------------------------------------------------------------- adapt
    def _list_adaptable_preprocessors(self) -> list[str]:
        names = []
        for key in self.features:
            preprocessor = self.preprocessors[key]
            # A Normalization with a given mean/variance, a TextVectorization with a given vocabulary: fixed.
            if isinstance(preprocessor, Normalization) and preprocessor.input_mean is not None:
                continue
            if isinstance(preprocessor, TextVectorization) and preprocessor._lookup_layer._has_input_vocabulary:
                continue
            # A Discretization given `bin_boundaries` (Keras would call its `adapt` and fail): fixed.
            if isinstance(preprocessor, Discretization) and preprocessor.num_bins is None:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(key)
        return names

    def adapt(self, dataset: Any) -> None:
        """Adapt every adaptable preprocessor on its column of ``dataset``.

        ``dataset``: a dict of arrays/lists/tensors (one row per sample), or an iterable of dict
        batches (a torch ``DataLoader``, a ``PyDataset``, a list of dicts); ``(x, y)`` batches use ``x``.
        """
        if isinstance(dataset, dict):
            columns = {key: _to_host(value) for key, value in dataset.items()}
            batches: Any = None
        elif isinstance(dataset, (str, bytes, np.ndarray, torch.Tensor)) or not isinstance(dataset, Iterable):
            raise ValueError("`adapt()` can only be called on a dict of arrays/lists or an iterable of dict "
                             "batches (e.g. a torch DataLoader yielding dicts). "
                             f"Received instead: {dataset!r} (of type {type(dataset)})")
        else:
            batches = [self._batch_dict(batch) for batch in dataset]
            if not batches:
                raise ValueError("`adapt()` received an empty dataset: it yielded no batch.")
        for key in self._list_adaptable_preprocessors():
            if batches is None:
                if key not in columns:
                    raise ValueError(f"`adapt()` data has no column {key!r}. Received keys: {sorted(columns)}")
                column = columns[key]
                if column.ndim == 0:
                    column = column.reshape(1)
                parts = [column[i:i + _ADAPT_BATCH_SIZE] for i in range(0, len(column), _ADAPT_BATCH_SIZE)]
            else:
                parts = [batch[key] for batch in batches]
            # Rank 0/1 values get a feature axis, so statistics reduce over axis -1 as in Keras.
            parts = [part.reshape(-1, 1) if part.ndim <= 1 else part for part in parts]
            self.preprocessors[key].adapt(iter(parts))
        self._is_adapted = True
        self.get_encoded_features()  # builds the encoders and the concat layer
        self.built = True
        self._sublayers_built = True

    def _batch_dict(self, batch: Any) -> dict:
        if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], dict):
            batch = batch[0]
        if not isinstance(batch, dict):
            raise ValueError("`adapt()` on an iterable expects each batch to be a dict of feature arrays (or an "
                             f"`(x, y)` tuple with a dict `x`). Received a batch of type {type(batch).__name__}.")
        missing = [key for key in self._list_adaptable_preprocessors() if key not in batch]
        if missing:
            raise ValueError(f"`adapt()` batch has no column(s) {missing}. Received keys: {sorted(batch)}")
        return {key: _to_host(value) for key, value in batch.items()}

    # ----------------------------------------------------------------- the functional view
    def get_inputs(self) -> dict:
        """The dict of ``keras.Input`` (shape ``(1,)``, the feature's dtype) a model built on it takes."""
        self._check_if_built()
        return self.inputs

    def get_encoded_features(self) -> Any:
        """The encoded KerasTensor (``"concat"``) or dict of them (``"dict"``) computed from ``get_inputs()``."""
        self._check_if_adapted()
        if self.encoded_features is None:
            preprocessed = self._preprocess_features(self.inputs)
            crossed = self._cross_features(preprocessed)
            self.encoded_features = self._merge_features(preprocessed, crossed)
        return self.encoded_features

    def _preprocess_features(self, features: dict) -> dict:
        return {key: self.preprocessors[key](features[key]) for key in features}

    def _cross_features(self, features: dict) -> dict:
        return {cross.name: self.crossers[cross.name]([features[key] for key in cross.feature_names])
                for cross in self.crosses}

    def _merge_features(self, preprocessed: dict, crossed: dict) -> Any:
        if not self._preprocessed_features_names:
            # Keras's order: feature names sorted, then cross names sorted.
            self._preprocessed_features_names = sorted(preprocessed)
            self._crossed_features_names = sorted(crossed)
        crossed_names = self._crossed_features_names or []
        names = self._preprocessed_features_names + crossed_names
        values = [preprocessed[key] for key in self._preprocessed_features_names] + \
                 [crossed[key] for key in crossed_names]
        if self._sublayers_built:
            encoded = {}
            for key, value in zip(names, values):
                encoder = self.one_hot_encoders.get(key)
                encoded[key] = encoder(value) if encoder is not None else value
            if self.output_mode == "dict":
                return encoded
            assert self.concat is not None  # made with the encoders, on the first (building) merge
            return self.concat([encoded[key] for key in names])
        specs = [self.features[key] for key in self._preprocessed_features_names] + \
                [self.crosses_by_name[key] for key in crossed_names]
        encoded = {}
        for key, value, spec in zip(names, values, specs):
            if spec.output_mode == "one_hot":
                dtype = _dtype_name(value)
                if not dtype.startswith(("int", "uint")):
                    raise ValueError(f"Feature '{key}' has `output_mode='one_hot'`. Thus its preprocessor should "
                                     f"return an integer dtype. Instead it returns a {dtype} dtype.")
                encoder = CategoryEncoding(num_tokens=self._cardinality(key), output_mode="multi_hot")
                self.one_hot_encoders[key] = encoder
                self._one_hot_encoders.append(encoder)
                value = encoder(value)
            if self.output_mode == "concat":
                dtype = _dtype_name(value)
                if dtype.startswith(("int", "uint")) or dtype == "string":
                    raise ValueError(f"Cannot concatenate features because feature '{key}' has not been encoded "
                                     f"(it has dtype {dtype}). Consider using `output_mode='dict'`.")
            encoded[key] = value
        if self.output_mode == "dict":
            return encoded
        self.concat = TFDConcat(axis=-1)
        return self.concat([encoded[key] for key in names])

    def _cardinality(self, key: str) -> int:
        preprocessor = self.preprocessors.get(key) or self.crossers.get(key)
        if isinstance(preprocessor, (IntegerLookup, StringLookup)):
            return preprocessor.vocabulary_size()
        if isinstance(preprocessor, CategoryEncoding):
            return preprocessor.num_tokens
        if isinstance(preprocessor, Discretization) and preprocessor.num_bins is None:
            return len(preprocessor.bin_boundaries or ()) + 1  # given boundaries: one bin more than boundaries
        if isinstance(preprocessor, (Discretization, HashedCrossing, Hashing)) and preprocessor.num_bins is not None:
            return int(preprocessor.num_bins)
        raise ValueError(f"Feature '{key}' has `output_mode='one_hot'`. However it isn't a standard feature and "
                         "the dimensionality of its output space is not known, thus it cannot be one-hot encoded. "
                         "Try using `output_mode='int'`.")

    def _check_if_adapted(self) -> None:
        if not self._is_adapted:
            if self._list_adaptable_preprocessors():
                raise ValueError("You need to call `.adapt(dataset)` on the FeatureSpace before you can start "
                                 "using it.")
            self._is_adapted = True

    def _check_if_built(self) -> None:
        if not self._sublayers_built:
            self._check_if_adapted()
            self.get_encoded_features()
            self._sublayers_built = True

    # ----------------------------------------------------------------- eager call
    def _convert_input(self, key: str, value: Any) -> Any:
        spec = self.features.get(key)
        if isinstance(value, torch.Tensor):
            array = None
        else:
            array = np.asarray(value)
        if spec is not None and spec.dtype == "string" or (array is not None and array.dtype.kind in "USO"):
            return array if array is not None else value  # strings stay numpy; the lookup layers read them
        tensor = value if array is None else torch.as_tensor(array)
        if spec is not None and spec.dtype.startswith("float"):
            return tensor.to(torch.float32)
        return tensor

    def __call__(self, data: Any) -> Any:
        self._check_if_built()
        if not isinstance(data, dict):
            raise ValueError(f"A FeatureSpace can only be called with a dict. Received: data={data} "
                             f"(of type {type(data)})")
        missing = [key for key in self.features if key not in data]
        if missing:
            raise ValueError(f"The data given to the FeatureSpace has no feature(s) {missing}. Expected keys: "
                             f"{sorted(self.features)}; received: {sorted(data)}")
        inputs = {key: self._convert_input(key, data[key]) for key in self.features}
        rebatched = False
        for key, value in inputs.items():
            if value.ndim == 0:
                inputs[key] = value.reshape(1, 1)
                rebatched = True
            elif value.ndim == 1:
                inputs[key] = value.reshape(-1, 1)
        preprocessed = self._preprocess_features(inputs)
        crossed = self._cross_features(preprocessed)
        merged = self._merge_features(preprocessed, crossed)
        if rebatched:
            if self.output_mode == "concat":
                if merged.shape[0] != 1:
                    raise ValueError(f"Expected rebatched data to have batch size 1. Received: shape={merged.shape}")
                merged = merged.squeeze(0)
            else:
                merged = {key: value.squeeze(0) if value.ndim == 2 and value.shape[0] == 1 else value
                          for key, value in merged.items()}
        return merged

    # ----------------------------------------------------------------- config and saving
    def get_config(self) -> dict:
        return {"features": serialize_keras_object(self.features), "output_mode": self.output_mode,
                "crosses": serialize_keras_object(self.crosses), "crossing_dim": self.crossing_dim,
                "hashing_dim": self.hashing_dim, "num_discretization_bins": self.num_discretization_bins}

    @classmethod
    def from_config(cls, config: dict) -> FeatureSpace:
        return cls(**config)

    def get_build_config(self) -> dict:
        return {key: spec.preprocessor.get_build_config() for key, spec in self.features.items()}

    def build_from_config(self, config: dict | None) -> None:
        # A saved FeatureSpace was adapted; its learned state comes back with the archive's variables/assets.
        for key, preprocessor_config in (config or {}).items():
            preprocessor = self.features[key].preprocessor
            if preprocessor_config and not preprocessor.built:
                preprocessor.build_from_config(preprocessor_config)
        self._is_adapted = True

    def save(self, filepath: Any) -> None:
        """Save to a ``.keras`` file; reload with ``keras.models.load_model``."""
        # local import: saving sits above layers (a documented exception in tests/test_import_layering.py)
        from kerastorch.saving.api import save_model
        save_model(self, filepath)

    def save_own_variables(self, store: dict) -> None:
        return

    def load_own_variables(self, store: dict) -> None:
        return


for _cls in (Cross, Feature, TFDIdentity, TFDConcat, FeatureSpace):
    register_builtin_class(_cls)
