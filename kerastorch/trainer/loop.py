"""Small pieces of the training loop: lazy logs, dynamic loss scaling, step compilation."""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import torch


class LazyLogs(Mapping):
    """Metric results computed only when someone reads them.

    Computing ``result()`` every step would cost a few small kernels per metric
    and, on a GPU, reading them would force a host sync; the progress bar reads
    them only when it redraws.
    """

    __slots__ = ("_metrics", "_values")

    def __init__(self, metrics: list):
        self._metrics = metrics
        self._values = None

    def _compute(self) -> dict:
        if self._values is None:
            self._values = {m.name: m.result() for m in self._metrics}
        return self._values

    def __getitem__(self, key):
        return self._compute()[key]

    def __iter__(self):
        return iter(self._compute())

    def __len__(self) -> int:
        return len(self._metrics)

    def __repr__(self) -> str:
        return f"LazyLogs({dict(self._compute())})"


class LossScaler:
    """Dynamic loss scaling for float16 training (what ``LossScaleOptimizer`` does in Keras)."""

    def __init__(self, initial_scale: float = 2.0 ** 15, growth_interval: int = 2000):
        self.scale_value = initial_scale
        self.growth_interval = growth_interval
        self._good_steps = 0

    def scale(self, loss: torch.Tensor) -> torch.Tensor:
        return loss * self.scale_value

    def unscale_and_check(self, params: list[torch.Tensor]) -> bool:
        """Unscale the gradients; False (and a smaller scale) when they overflowed."""
        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            return False
        torch._foreach_mul_(grads, 1.0 / self.scale_value)
        finite = bool(torch.stack([torch.isfinite(g).all() for g in grads]).all())
        if not finite:
            self.scale_value = max(self.scale_value / 2.0, 1.0)
            self._good_steps = 0
            for p in params:
                p.grad = None
            return False
        self._good_steps += 1
        if self._good_steps >= self.growth_interval:
            self.scale_value *= 2.0
            self._good_steps = 0
        return True


# Inductor's own use of a deprecated torch API warns on every compilation; nothing a user can act on.
warnings.filterwarnings("ignore", message=r"`torch\.jit\.script_method` is deprecated")


def maybe_compile(fn, label: str):
    """``torch.compile(fn)``, falling back to eager (with a warning) if compilation fails."""
    try:
        compiled = torch.compile(fn)
    except Exception as e:  # noqa: BLE001 - any compile failure means "run eagerly"
        warnings.warn(f"jit_compile=True: torch.compile is unavailable for {label} ({e}); running eagerly.",
                      stacklevel=3)
        return fn
    state = {"fn": compiled}

    def step(data):
        try:
            return state["fn"](data)
        except Exception as e:  # noqa: BLE001
            if state["fn"] is fn:
                raise
            warnings.warn(f"jit_compile=True: torch.compile could not compile {label} "
                          f"({type(e).__name__}: {str(e)[:200]}); falling back to eager execution.", stacklevel=2)
            state["fn"] = fn
            return fn(data)
    return step
