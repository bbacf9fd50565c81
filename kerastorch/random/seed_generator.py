"""``SeedGenerator``: Keras 3's explicit random state, and the seed rules every draw uses.

Keras's random functions are stateless: an integer ``seed`` gives the same values on every
call; a ``SeedGenerator`` advances its ``[seed, counter]`` state by one per draw; ``seed=None``
uses a global generator. On torch, a draw becomes a ``torch.Generator`` seeded with
``(state[0] + state[1]) mod 2**32``, exactly as Keras's torch backend does, so seeded draws
match Keras on the same torch bit for bit. The state is an int32 tensor and is advanced with
int32 torch arithmetic (wrap-around included) for the same reason.
"""
from __future__ import annotations

import random as python_random
from typing import Any

import torch

from kerastorch._core.config import get_device
from kerastorch._core.naming import auto_name
from kerastorch._core.non_trainable_variable import NonTrainableVariable

_GLOBAL_GENERATOR: SeedGenerator | None = None


def make_default_seed() -> int:
    # Drawn from Python's `random`, so keras.utils.set_random_seed makes unseeded draws repeatable.
    return python_random.randint(1, int(1e9))


class SeedGenerator:
    """Random state for ``keras.random`` functions: ``normal(shape, seed=SeedGenerator(42))``.

    Each draw reads ``state`` and then advances it, so two draws differ but a generator built
    with the same seed replays the same sequence.
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs: Any) -> None:
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name if name is not None else auto_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self.state = NonTrainableVariable(torch.tensor([_as_int32(seed), 0], dtype=torch.int32),
                                          "seed_generator_state")

    def next(self, ordered: bool = True) -> torch.Tensor:
        """The current ``[seed, counter]`` (a copy); then advance the state."""
        current = self.state.detach().clone().as_subclass(torch.Tensor)
        with torch.no_grad():
            if ordered:
                self.state.copy_(current + torch.tensor([0, 1], dtype=torch.int32))
            else:
                # Keras's scramble for the global generator, in int32 arithmetic.
                self.state.copy_((current + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name!r} seed={self._initial_seed!r}>"


def _as_int32(seed: int) -> int:
    """Keras treats seeds as uint32 bit patterns stored in int32."""
    return ((seed & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000


def global_seed_generator() -> SeedGenerator:
    global _GLOBAL_GENERATOR
    if _GLOBAL_GENERATOR is None:
        _GLOBAL_GENERATOR = SeedGenerator()
    return _GLOBAL_GENERATOR


def reset_global_seed_generator() -> None:
    """Forget the global generator; the next unseeded draw makes one from Python's ``random``."""
    global _GLOBAL_GENERATOR
    _GLOBAL_GENERATOR = None


def draw_seed(seed: Any) -> tuple[int, int]:
    """The ``(seed, counter)`` pair of one draw for ``seed`` = int, SeedGenerator or None."""
    if isinstance(seed, SeedGenerator):
        pair = seed.next()
    elif isinstance(seed, int) and not isinstance(seed, bool):
        return _as_int32(seed), 0
    elif seed is None:
        pair = global_seed_generator().next(ordered=False)
    else:
        raise ValueError("Argument `seed` must be either an integer or an instance of "
                         f"`SeedGenerator`. Received: seed={seed!r} (of type {type(seed).__name__})")
    return int(pair[0]), int(pair[1])


def torch_generator(seed: Any, device: torch.device | None = None) -> torch.Generator:
    """A ``torch.Generator`` on ``device`` seeded from one draw of ``seed``."""
    first, second = draw_seed(seed)
    generator = torch.Generator(device=device if device is not None else get_device())
    generator.manual_seed((first + second) & 0xFFFFFFFF)
    return generator


def int_seed(seed: Any) -> int:
    """One draw of ``seed`` as a single 32-bit integer (for torch's global-RNG samplers)."""
    first, second = draw_seed(seed)
    return (first + second) & 0xFFFFFFFF
