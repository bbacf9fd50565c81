"""Keras's automatic names: ``dense``, ``dense_1``, ``dense_2`` ...

``to_snake_case`` is Keras's rule, the one every auto-name and every snake_case alias
in kerastorch goes through: non-word characters dropped, an underscore before each
capitalised word and between a lower-case letter and a capital, then lower case. So
``Conv2D`` -> ``conv2d``, ``Conv1DTranspose`` -> ``conv1d_transpose``, ``ReLU`` ->
``re_lu``, ``TopKCategoricalAccuracy`` -> ``top_k_categorical_accuracy``, exactly as
``model.get_layer("conv2d")`` in a Keras script expects.
"""
from __future__ import annotations

import re
from collections import defaultdict

_UIDS: defaultdict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """Keras's snake_case of a class or function name (``"Conv2D"`` -> ``"conv2d"``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    # Only a lower-case letter (not a digit) before a capital starts a new word: Conv2D stays conv2d.
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(prefix: str) -> str:
    """The next free name for ``prefix`` in this session, Keras style."""
    count = _UIDS[prefix]
    _UIDS[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_uids() -> None:
    _UIDS.clear()
