"""``keras.initializers``: weight initializers and their ``get``/``serialize``/``deserialize``.

Names resolve both ways Keras writes them: class names from configs (``"GlorotUniform"``,
``"VarianceScaling"``) and snake-case strings from user code (``"glorot_uniform"``).
"""
from __future__ import annotations

from typing import Any

from kerastorch._core.identifiers import Identifiers
from kerastorch._core.naming import to_snake_case
from kerastorch.initializers.constant_initializers import (
    STFT,
    Constant,
    Identity,
    IdentityInitializer,
    Ones,
    STFTInitializer,
    Zeros,
)
from kerastorch.initializers.initializer import Initializer
from kerastorch.initializers.random_initializers import (
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    LecunNormal,
    LecunUniform,
    Orthogonal,
    OrthogonalInitializer,
    RandomInitializer,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    compute_fans,
)

_CLASSES = (
    Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
    HeUniform, LecunNormal, LecunUniform, RandomNormal, TruncatedNormal, RandomUniform,
    VarianceScaling, Orthogonal, STFT,
)
ALL_OBJECTS_DICT: dict[str, type] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({
    "uniform": RandomUniform, "normal": RandomNormal, "one": Ones, "zero": Zeros,
    "orthogonal": Orthogonal, "OrthogonalInitializer": Orthogonal,
    "IdentityInitializer": Identity, "STFTInitializer": STFT,
})

# snake-case callables, as `keras.initializers.glorot_uniform(seed=1)` also works in Keras
zeros, ones, constant, identity = Zeros, Ones, Constant, Identity
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling, orthogonal, stft = VarianceScaling, OrthogonalInitializer, STFT
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


_IDENTIFIERS = Identifiers("initializer", "keras.initializers", ALL_OBJECTS_DICT, example="glorot_uniform")
get = _IDENTIFIERS.get


def serialize(initializer: Any) -> Any:
    """Keras's config dict for ``initializer`` (the name of the argument is Keras's)."""
    return _IDENTIFIERS.serialize(initializer)


deserialize = _IDENTIFIERS.deserialize


__all__ = [
    "Initializer", "RandomInitializer", "Constant", "Identity", "IdentityInitializer", "Ones",
    "Zeros", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "LecunNormal",
    "LecunUniform", "RandomNormal", "TruncatedNormal", "RandomUniform", "VarianceScaling",
    "OrthogonalInitializer", "Orthogonal", "compute_fans", "get", "serialize", "deserialize",
    "ALL_OBJECTS_DICT", "STFT", "STFTInitializer", "stft",
]
