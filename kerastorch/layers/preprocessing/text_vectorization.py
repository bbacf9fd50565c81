"""``TextVectorization``: raw strings → token indices (or multi-hot / count / TF-IDF vectors).

The pipeline is Keras's: standardize (lowercase ASCII, strip Keras's punctuation set, or a callable) →
split (ASCII whitespace, characters, or a callable) → n-grams (joined by a space) → a StringLookup with
``mask_token=""``, so index 0 is padding and 1 is ``[UNK]``. The string steps run in Python on the CPU
before any tensor math; outputs are torch tensors, int64 for ``"int"`` mode (padded with 0 to the longest
text, or to ``output_sequence_length``), floatx otherwise.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import torch

from kerastorch.backend import config
from kerastorch.graph.keras_tensor import KerasTensor
from kerastorch.layers.layer import Layer
from kerastorch.layers.preprocessing.hashing import as_value_array
from kerastorch.layers.preprocessing.string_lookup import StringLookup
from kerastorch.layers.serialization import deserialize_keras_object, serialize_keras_object

# tf.strings.regex_replace pattern Keras strips with, and tf.strings.lower's ASCII-only lowercasing
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


def _check_option(value: Any, allowed: tuple, arg: str) -> None:
    if value is not None and not callable(value) and value not in allowed:
        raise ValueError(f"Unknown value for `{arg}` in TextVectorization. Allowed values are: {allowed}, None, or a "
                         f"callable. Received: {arg}={value!r}")


def ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    """All n-grams of each width in turn, joined by a space (``tf.strings.ngrams`` without padding)."""
    return [" ".join(tokens[i:i + n]) for n in widths for i in range(len(tokens) - n + 1)]


class TextVectorization(Layer):
    """Turn raw text into sequences of token indices or into vocabulary-sized vectors.

    Args (Keras's): ``max_tokens``, ``standardize`` ("lower_and_strip_punctuation", "lower",
    "strip_punctuation", None or a callable on a numpy array of str), ``split`` ("whitespace",
    "character", None or a callable returning a list of tokens per text), ``ngrams`` (int or tuple),
    ``output_mode`` ("int", "multi_hot", "count", "tf_idf"), ``output_sequence_length``, ``pad_to_max_tokens``,
    ``vocabulary`` (list or file path), ``idf_weights``, ``sparse``/``ragged`` (False only), ``encoding``.

    Example:
        >>> layer = TextVectorization(max_tokens=10, output_sequence_length=4)
        >>> layer.adapt(["the cat sat", "the dog ran"])
        >>> layer(["the cat ran away"])  # [[2, ...]] with 0 padding and 1 for out-of-vocabulary words
    """

    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 name: str | None = None, **kwargs: Any) -> None:
        if sparse:
            raise ValueError("`sparse=True` can only be used with the TensorFlow backend.")
        if ragged:
            raise ValueError("`ragged=True` can only be used with the TensorFlow backend.")
        _check_option(standardize, _STANDARDIZE, "standardize")
        _check_option(split, _SPLIT, "split")
        output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        if output_mode not in ("int", "one_hot", "multi_hot", "count", "tf_idf"):
            raise ValueError("Unknown value for `output_mode` in TextVectorization. Allowed values are: ('int', "
                             f"'one_hot', 'multi_hot', 'count', 'tf_idf'). Received: output_mode={output_mode}")
        if not (ngrams is None or isinstance(ngrams, int)
                or (isinstance(ngrams, tuple) and all(isinstance(n, int) for n in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (output_sequence_length is None or isinstance(output_sequence_length, int)):
            raise ValueError("`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                             f"Received: output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self._max_tokens, self._standardize, self._split, self._ngrams_arg = max_tokens, standardize, split, ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._ragged, self._output_mode, self._encoding = ragged, output_mode, encoding
        self._output_sequence_length = output_sequence_length
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
                                          has_input_vocabulary=has_input_vocabulary, encoding=encoding,
                                          vocabulary_size=vocabulary_size)

    def build(self, input_shape: Any = None) -> None:
        self.built = True

    def _convert_inputs(self, inputs: Any) -> Any:
        return inputs  # text stays text until tokenized

    # ------------------------------------------------------------- pipeline
    def _texts(self, inputs: Any) -> np.ndarray:
        values = as_value_array(inputs)
        if values.dtype == object:
            values = np.vectorize(lambda v: v.decode(self._encoding) if isinstance(v, bytes) else str(v),
                                  otypes=[object])(values) if values.size else values
        return values

    def _standardized(self, texts: np.ndarray) -> np.ndarray:
        if callable(self._standardize):
            return np.asarray(self._standardize(texts), dtype=object)
        out = texts.astype(object)
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            out = np.vectorize(lambda t: t.translate(_ASCII_LOWER), otypes=[object])(out) if out.size else out
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            out = np.vectorize(lambda t: _PUNCTUATION.sub("", t), otypes=[object])(out) if out.size else out
        return out

    def _tokenize(self, inputs: Any) -> list[list[str]] | np.ndarray:
        """Standardized, split and n-grammed tokens: a list of token lists (one per text) when splitting."""
        texts = self._standardized(self._texts(inputs))
        if self._split is None:
            if self._ngrams is not None:
                raise ValueError("`ngrams` needs `split`: n-grams are built from the tokens of each text.")
            return texts
        if texts.ndim > 1:
            if texts.shape[-1] != 1:
                raise ValueError("When using `TextVectorization` to tokenize strings, the input rank must be 1 or the "
                                 f"last shape dimension must be 1. Received: inputs.shape={texts.shape} with "
                                 f"rank={texts.ndim}")
            texts = texts[..., 0]
        if texts.ndim == 0:
            texts = texts.reshape(1)
        split: Callable[[str], list[str]]
        if self._split == "whitespace":
            split = lambda t: [w for w in _ASCII_WHITESPACE.split(t) if w]  # noqa: E731
        elif self._split == "character":
            split = list
        else:
            split = lambda t: [str(w) for w in self._split(t)]  # noqa: E731
        rows = [split(t) for t in texts.tolist()]
        if self._ngrams is not None:
            rows = [ngrams(row, self._ngrams) for row in rows]
        return rows

    # ---------------------------------------------------------------- adapt
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Learn the vocabulary (and IDF weights) from texts: an array/list, or an iterable of batches."""
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, torch.Tensor, str)):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch[0] if isinstance(batch, tuple) else batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        tokens = self._tokenize(data)
        rows = tokens if isinstance(tokens, list) else [[t] for t in np.asarray(tokens).reshape(-1).tolist()]
        self._lookup_layer.update_state_rows(rows)

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ----------------------------------------------------------------- call
    def call(self, inputs: Any) -> torch.Tensor:
        tokens = self._tokenize(inputs)
        lookup = self._lookup_layer
        if not isinstance(tokens, list):  # split=None: each text is one token
            return lookup.call(tokens)
        ids = [lookup._lookup(np.asarray(row, dtype=object)).tolist() if row else [] for row in tokens]
        if self._output_mode == "int":
            length = self._output_sequence_length
            if length is None:
                length = max((len(row) for row in ids), default=0)
            out = torch.zeros((len(ids), length), dtype=torch.int64)
            for i, row in enumerate(ids):
                row = row[:length]
                out[i, :len(row)] = torch.as_tensor(row, dtype=torch.int64)
            return out
        if lookup._frozen_vocab_size is None and not lookup.pad_to_max_tokens:
            return lookup.call(np.asarray([[]], dtype=object))  # raises Keras's "set the vocabulary" error
        depth = lookup.max_tokens if lookup.pad_to_max_tokens else lookup._frozen_vocab_size
        dtype = config.to_torch_dtype(config.floatx())
        counts = torch.zeros((len(ids), depth), dtype=dtype)
        for i, row in enumerate(ids):
            row = [j for j in row if j < depth]
            if row:
                counts[i].index_add_(0, torch.as_tensor(row), torch.ones(len(row), dtype=dtype))
        if self._output_mode in ("multi_hot", "one_hot"):
            return (counts > 0).to(dtype)
        if self._output_mode == "tf_idf":
            return counts * torch.as_tensor(lookup.idf_weights, dtype=dtype)
        return counts

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self._output_mode == "int":
            return (input_shape[0], self._output_sequence_length)
        depth = self._lookup_layer.max_tokens if self._lookup_layer.pad_to_max_tokens else \
            self._lookup_layer._frozen_vocab_size
        return (input_shape[0], depth)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        """The symbolic output for a string KerasTensor: int64 token ids, or floatx vectors (as Keras)."""
        dtype = "int64" if self._output_mode == "int" else config.floatx()
        return KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype)

    # --------------------------------------------------------------- saving
    def get_config(self) -> dict:
        lookup = self._lookup_layer

        def listify(value: Any) -> Any:
            return value.tolist() if isinstance(value, np.ndarray) else value
        return {**super().get_config(), "max_tokens": lookup.max_tokens,
                "standardize": self._standardize if not callable(self._standardize)
                else serialize_keras_object(self._standardize),
                "split": self._split if not callable(self._split) else serialize_keras_object(self._split),
                "ngrams": self._ngrams_arg, "output_mode": self._output_mode,
                "output_sequence_length": self._output_sequence_length, "pad_to_max_tokens": lookup.pad_to_max_tokens,
                "sparse": False, "ragged": self._ragged, "vocabulary": listify(lookup.input_vocabulary),
                "idf_weights": listify(lookup.input_idf_weights), "encoding": self._encoding,
                "vocabulary_size": self.vocabulary_size()}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "TextVectorization":
        config = dict(config)
        for key in ("standardize", "split"):
            if config.get(key) is not None and not isinstance(config[key], str):
                config[key] = deserialize_keras_object(config[key], custom_objects=custom_objects)
        if isinstance(config.get("ngrams"), list):
            config["ngrams"] = tuple(config["ngrams"])
        return cls(**config)

    def save_own_variables(self, store: dict) -> None:
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store: dict) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)
