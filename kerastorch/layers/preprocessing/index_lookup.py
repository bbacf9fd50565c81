"""``IndexLookup``: the vocabulary machinery behind StringLookup and IntegerLookup (and TextVectorization).

A vocabulary is a Python list of tokens laid out as Keras lays it out: ``[mask] + [oov] * num_oov_indices +
tokens`` (the mask slot only in ``"int"`` mode). ``adapt`` counts tokens and orders them as Keras does (by
count, ties by token, both descending), so the same data gives the same indices. Lookups run on the CPU in
Python dictionaries — these layers sit at the front of a model, before any tensor math — and return torch
tensors; several OOV buckets are filled by ``floormod`` (integers) or Keras's FarmHash/SipHash (strings).
The learned vocabulary is saved as Keras saves it: ``vocabulary.txt`` in the ``.keras`` archive's assets.
"""
from __future__ import annotations

import collections
import os
from typing import Any

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.encoding import encode_categorical_inputs
from kerastorch.layers.preprocessing.hashing import as_value_array, hash_key
from kerastorch.layers.preprocessing.string_hashing import fingerprint64, siphash24
from kerastorch.layers.serialization import loading_in_safe_mode

_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


class IndexLookup(Layer):
    """Tokens → integer indices through a vocabulary (or back, with ``invert=True``)."""

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any, oov_token: Any,
                 vocabulary_dtype: str, vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", name: str | None = None, salt: Any = None,
                 vocabulary_size: int | None = None, has_input_vocabulary: bool | None = None,
                 **kwargs: Any) -> None:
        # `vocabulary_size` and `has_input_vocabulary` come back from a saved config (Keras writes both):
        # the size gives the output width before the vocabulary asset is loaded.
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Unknown value for `oov_method` in {type(self).__name__}: {oov_method!r}. "
                             "Allowed values are: ('floormod', 'farmhash')")
        if salt is not None:
            if vocabulary_dtype != "string" and oov_method != "farmhash":
                raise ValueError("`salt` can only be used when `oov_method='farmhash'`. "
                                 f"Received: oov_method={oov_method}")
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a single "
                                 f"integer. Received: salt={salt}.")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in _OUTPUT_MODES:
            raise ValueError(f"Unknown value for `output_mode` in {type(self).__name__}. Allowed values are: "
                             f"{_OUTPUT_MODES}. Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError("`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        self._frozen_vocab_size = vocabulary_size
        self._has_input_vocabulary = vocabulary is not None if has_input_vocabulary is None else has_input_vocabulary
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        self.invert, self.max_tokens, self.num_oov_indices = invert, max_tokens, num_oov_indices
        self.mask_token, self.oov_token, self.output_mode = mask_token, oov_token, output_mode
        self.sparse, self.pad_to_max_tokens, self.vocabulary_dtype = sparse, pad_to_max_tokens, vocabulary_dtype
        self.oov_method, self.salt = oov_method, salt
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._tokens: list = []
        self._index: dict = {}
        self.idf_weights: np.ndarray | None = None
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.reset_state()

    def build(self, input_shape: Any) -> None:
        self.built = True

    def _convert_inputs(self, inputs: Any) -> Any:
        return inputs  # tokens stay Python/numpy values until looked up

    # ------------------------------------------------------------ vocabulary
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """Size of the vocabulary including the mask and OOV slots."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def _normalize_token(self, token: Any) -> Any:
        if self.vocabulary_dtype == "string":
            return token.decode("utf-8") if isinstance(token, bytes) else str(token)
        return int(token)

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (a list/array, or a text file with one token per line)."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError("`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            if loading_in_safe_mode():
                raise ValueError("Requested the loading of a vocabulary file outside of the model archive. This "
                                 "carries a potential risk of loading arbitrary and sensitive files and thus it is "
                                 "disallowed by default. If you trust the source of the artifact, you can override "
                                 "this error by passing `safe_mode=False` to the loading function, or calling "
                                 f"`keras.config.enable_unsafe_deserialization()`. Vocabulary file: '{vocabulary}'")
            if not os.path.exists(vocabulary):
                raise ValueError(f"Vocabulary file {vocabulary} does not exist.")
            if self.output_mode == "tf_idf":
                raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = f.read().splitlines()
        if isinstance(vocabulary, torch.Tensor):
            vocabulary = vocabulary.detach().cpu().numpy()
        vocabulary = [self._normalize_token(t) for t in np.asarray(vocabulary, dtype=object).reshape(-1).tolist()]
        if not vocabulary:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        token_start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = vocabulary[:token_start] == special
        tokens = vocabulary[token_start:] if found_special else vocabulary
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        for reserved, what, applies in ((self.mask_token, "mask", True), (self.oov_token, "OOV", self.invert)):
            if reserved is not None and applies and reserved in tokens:
                raise ValueError(f"Found reserved {what} token at unexpected location in `vocabulary`. Note that "
                                 "passed `vocabulary` does not need to include the OOV and mask tokens. Either remove "
                                 "all mask and OOV tokens, or include them only at the start of the vocabulary in "
                                 f"precisely this order: {special}. Received: {what.lower()}_token={reserved} at "
                                 f"vocabulary index {vocabulary.index(reserved)}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {token_start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            idf = np.asarray(idf_weights.detach().cpu().numpy() if isinstance(idf_weights, torch.Tensor)
                             else idf_weights, dtype="float64")
            if len(vocabulary) != len(idf):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(idf)}; len(vocabulary) is {len(vocabulary)}")
            if idf.ndim != 1:
                raise ValueError(f"TF-IDF data must be a 1-index array. Received: type(idf_weights)={type(idf)}")
            front, front_value = (0, 0.0) if found_special else (token_start, float(np.average(idf)))
            back = self.max_tokens - front - len(idf) if self.pad_to_max_tokens and self.max_tokens else 0
            self.idf_weights = np.pad(idf, (front, back), constant_values=(front_value, 0.0)).astype(config.floatx())

    def _set_tokens(self, tokens: list) -> None:
        start = self._token_start_index()
        self._tokens = list(tokens)
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            if self._frozen_vocab_size is not None and self._frozen_vocab_size != self.vocabulary_size() \
                    and self.built:
                raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                                   "vocabulary size cannot be changed after the layer is called. Old vocab size is "
                                   f"{self._frozen_vocab_size}, new vocab size is {self.vocabulary_size()}")
        self._frozen_vocab_size = self.vocabulary_size()

    # ----------------------------------------------------------------- adapt
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Learn the vocabulary from an array/list of tokens or an iterable of batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, torch.Tensor)):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        self.update_state_rows(self._token_rows(data))

    def update_state_rows(self, rows: list[list]) -> None:
        """Count the tokens of documents given as lists (rows may differ in length, as tokenized text does)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        for row in rows:
            self._token_counts.update(row)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(row))
        self._num_documents += len(rows)

    def _token_rows(self, data: Any) -> list[list]:
        values = as_value_array(data)
        if values.ndim == 0:
            values = values.reshape(1)
        if values.ndim == 1:
            values = values.reshape(1, -1)
        return [[self._normalize_token(t) for t in row.reshape(-1).tolist()] for row in values]

    def finalize_state(self) -> None:
        if self._has_input_vocabulary or not self._token_counts:
            return
        for special in (self.mask_token, self.oov_token):
            self._token_counts.pop(special, None)
        tokens = list(self._token_counts)
        counts = [self._token_counts[t] for t in tokens]
        order = np.lexsort((np.asarray(tokens), np.asarray(counts)))[::-1]
        if self.max_tokens:
            order = order[: self.max_tokens - self._token_start_index()]
        tokens = [tokens[i] for i in order]
        self._frozen_vocab_size = None
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            docs = np.asarray([self._document_counts[t] for t in tokens], dtype="float64")
            idf = np.log(1 + self._num_documents / (1 + docs))
            idf = np.pad(idf, (self._token_start_index(), 0), constant_values=np.mean(idf))
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = idf.astype(config.floatx())
        self.reset_state()

    def reset_state(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------ call
    def call(self, inputs: Any) -> Any:
        values = as_value_array(inputs)
        device = inputs.device if isinstance(inputs, torch.Tensor) else None
        if self.invert:
            return self._invert(values)
        if self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must "
                               "set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to "
                               "the layer, or call `adapt` with some sample data.")
        scalar = values.ndim == 0
        if scalar:
            values = values.reshape(1)
        ids = torch.as_tensor(self._lookup(values), device=device)
        if self.output_mode == "int":
            return ids.reshape(()) if scalar else ids
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        dtype = config.to_torch_dtype(config.floatx())
        if self.output_mode == "tf_idf":
            counts = encode_categorical_inputs(ids, "count", depth, dtype)
            return counts * torch.as_tensor(self.idf_weights, dtype=dtype, device=counts.device)
        return encode_categorical_inputs(ids, self.output_mode, depth, dtype)

    def _lookup(self, values: np.ndarray) -> np.ndarray:
        flat = [self._normalize_token(v) for v in values.reshape(-1).tolist()]
        masked_id = 0 if self.output_mode == "int" else np.iinfo(np.int64).max
        ids, missing = [], []
        for token in flat:
            if self.mask_token is not None and token == self.mask_token:
                ids.append(masked_id)
            elif token in self._index:
                ids.append(self._index[token])
            else:
                ids.append(None)
                missing.append(token)
        if missing:
            if self.num_oov_indices == 0:
                raise ValueError(f"When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                                 f"{missing[:10]}, consider setting `num_oov_indices=1`.")
            ids = [self._oov_index(token) if i is None else i for i, token in zip(ids, flat)]
        return np.asarray(ids, dtype=np.int64).reshape(values.shape)

    def _oov_index(self, token: Any) -> int:
        start = self._oov_start_index()
        if self.num_oov_indices == 1:
            return start
        if self.vocabulary_dtype != "string" and self.oov_method != "farmhash":
            return start + int(token) % self.num_oov_indices
        key = hash_key(token)
        digest = siphash24(key, *self.salt) if self.salt is not None else fingerprint64(key)
        return start + digest % self.num_oov_indices

    def _invert(self, values: np.ndarray) -> Any:
        vocab = self.get_vocabulary()
        flat = [vocab[i] if 0 <= i < len(vocab) else self.oov_token for i in values.reshape(-1).astype(int).tolist()]
        if self.mask_token is not None:
            flat = [self.mask_token if i == 0 else t for i, t in zip(values.reshape(-1).tolist(), flat)]
        if self.vocabulary_dtype == "string":
            return np.asarray(flat, dtype=object).reshape(values.shape)
        return torch.as_tensor(np.asarray(flat, dtype=np.int64).reshape(values.shape))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    # ------------------------------------------------------------- saving
    def get_config(self) -> dict:
        def listify(value: Any) -> Any:
            if isinstance(value, torch.Tensor):
                value = value.detach().cpu().numpy()
            return value.tolist() if isinstance(value, np.ndarray) else value
        return {**super().get_config(), "invert": self.invert, "max_tokens": self.max_tokens,
                "num_oov_indices": self.num_oov_indices, "oov_token": self.oov_token, "mask_token": self.mask_token,
                "output_mode": self.output_mode, "sparse": self.sparse, "pad_to_max_tokens": self.pad_to_max_tokens,
                "vocabulary_dtype": self.vocabulary_dtype, "idf_weights": listify(self.input_idf_weights),
                "vocabulary": listify(self.input_vocabulary), "vocabulary_size": self._frozen_vocab_size,
                "oov_method": self.oov_method, "salt": self.salt}

    def save_own_variables(self, store: dict) -> None:
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store: dict) -> None:
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = np.asarray(store["idf_weights"]).astype(config.floatx())

    def save_assets(self, dir_path: str) -> None:
        """Keras's asset: the whole vocabulary, one token per line, unless it was given as an argument."""
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(token) for token in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = lines if self.vocabulary_dtype == "string" else [int(line) for line in lines]
        self._frozen_vocab_size = None
        self._has_input_vocabulary = False
        self.set_vocabulary(values, idf_weights=self.idf_weights if self.output_mode == "tf_idf" else None)
