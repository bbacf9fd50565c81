"""``StringLookup``: strings → integer indices through a vocabulary (or back with ``invert=True``)."""
from __future__ import annotations

from typing import Any

from kerastorch.layers.preprocessing.index_lookup import IndexLookup


class StringLookup(IndexLookup):
    """Map strings to indices from a vocabulary given or learned with ``adapt``.

    Args (Keras's): ``max_tokens``, ``num_oov_indices`` (1), ``mask_token`` (None), ``oov_token`` ("[UNK]"),
    ``vocabulary`` (list or file path), ``idf_weights``, ``invert``, ``output_mode`` ("int", "one_hot",
    "multi_hot", "count", "tf_idf"), ``pad_to_max_tokens``, ``sparse`` (False only), ``encoding``, ``salt``.

    Example:
        >>> StringLookup(vocabulary=["a", "b", "c", "d"])([["a", "c", "d"], ["d", "z", "b"]])  # [[1, 3, 4], [4, 0, 2]]
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def _normalize_token(self, token: Any) -> str:
        return token.decode(self.encoding) if isinstance(token, bytes) else str(token)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}
