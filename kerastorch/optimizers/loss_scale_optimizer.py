"""``keras.optimizers.LossScaleOptimizer``: dynamic loss scaling as an optimizer wrapper (Keras 3).

float16 gradients underflow; the train step multiplies the loss by a large scale
(``optimizer.scale_loss``) before ``backward`` and this wrapper divides the gradients back
before the wrapped optimizer sees them. The scale moves, exactly as Keras's does:

* a step whose gradients hold an inf or a NaN is skipped, the scale halves and the
  growth counter restarts;
* after ``dynamic_growth_steps`` finite steps in a row the scale doubles.

So the trainer has no loss-scaling branch: every ``train_step`` calls
``optimizer.scale_loss(loss)`` (the identity for a plain optimizer without
``loss_scale_factor``) and ``optimizer.apply(grads, variables)``. ``compile()`` wraps the
optimizer in one of these under the ``mixed_float16`` policy (``auto_scale_loss=True``).

Deciding "finite or not" reads one boolean on the host per step, as Keras on torch does.
State, in Keras's ``variables`` order: this wrapper's ``iteration`` and ``learning_rate``
(never used, kept for Keras's layout), ``step_counter``, ``dynamic_scale``, then the inner
optimizer's variables.
"""
from __future__ import annotations

from typing import Any, Sequence

import torch

from kerastorch.optimizers.base_optimizer import Optimizer

# Arguments Keras 3 once wrote into this optimizer's config; accepted only at their defaults.
_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                  "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                  "loss_scale_factor": None, "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    """An optimizer that scales the loss dynamically so that float16 gradients do not underflow.

    Args:
        inner_optimizer: the ``keras.optimizers.Optimizer`` that applies the (unscaled) gradients.
        initial_scale: the first loss scale (a large power of two).
        dynamic_growth_steps: after this many steps with finite gradients the scale doubles.
        name: the optimizer's name.
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0 ** 15,
                 dynamic_growth_steps: int = 2000, name: str | None = None, **kwargs: Any) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set `{arg}` on the "
                                 "`inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        if not isinstance(inner_optimizer, Optimizer):
            raise TypeError("`inner_optimizer` must be a `keras.optimizers.Optimizer` instance. Received: "
                            f"inner_optimizer={inner_optimizer!r} of type {type(inner_optimizer).__name__}")
        if not isinstance(dynamic_growth_steps, int) or dynamic_growth_steps < 1:
            raise ValueError("`dynamic_growth_steps` must be a positive integer. Received: "
                             f"dynamic_growth_steps={dynamic_growth_steps!r}")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = float(initial_scale)
        self.dynamic_growth_steps = dynamic_growth_steps
        # The inner optimizer must not unscale a second time.
        self.inner_optimizer.loss_scale_factor = None
        self.step_counter = torch.zeros((), dtype=torch.int64)
        self.dynamic_scale = torch.tensor(self.initial_scale, dtype=torch.float32)

    # ------------------------------------------------------------------ state
    def build(self, variables: Sequence[torch.Tensor]) -> None:
        if self.built:
            return
        variables = list(variables)
        self.inner_optimizer.build(variables)
        super().build(variables)

    def _state_items(self) -> list[tuple[str, torch.Tensor]]:
        own: list[tuple[str, Any]] = [("iterations", self._iterations), ("learning_rate", self._lr_variable),
               ("step_counter", self.step_counter), ("dynamic_scale", self.dynamic_scale)]
        return own + [(f"inner/{key}", t) for key, t in self.inner_optimizer._state_items()]

    def set_state(self, state) -> None:
        """Restore ``get_state()`` output: this wrapper's four entries, then ``inner/...`` ones."""
        state = dict(state)
        own = dict(self._state_items()[:4])
        for key in list(state):
            if key in own:
                self._restore_into(key, own[key], state.pop(key))
        unknown = sorted(k for k in state if not k.startswith("inner/"))
        if unknown:
            raise ValueError(f"Optimizer state does not match optimizer '{self.name}'. Unexpected keys: "
                             f"{unknown[:8]}.")
        self.inner_optimizer.set_state({k[len("inner/"):]: v for k, v in state.items()})

    # ------------------------------------------------------------------ the update
    def scale_loss(self, loss):
        """``loss`` times the current loss scale."""
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def apply(self, grads: Sequence | None = None, trainable_variables: Sequence | None = None) -> None:
        """Unscale ``grads`` and let the inner optimizer apply them, or skip the step if any is not finite."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        grads = [v.grad for v in trainable_variables] if grads is None else list(grads)
        if not self.built:
            self.build(trainable_variables)
        present = [torch.as_tensor(g) for g in grads if g is not None]
        with torch.no_grad():
            finite = bool(torch.stack([torch.isfinite(g).all() for g in present]).all()) if present else True
            if not finite:
                self.step_counter.zero_()
                self.dynamic_scale.mul_(0.5)
                return
            scale = float(self.dynamic_scale)
            self.inner_optimizer.apply([None if g is None else torch.as_tensor(g) / scale for g in grads],
                                       trainable_variables)
            if int(self.step_counter) == self.dynamic_growth_steps - 1:
                self.step_counter.zero_()
                self.dynamic_scale.mul_(2.0)
            else:
                self.step_counter.add_(1)

    def _compiled_update_inputs(self, variables: list[torch.Tensor]) -> None:
        """Never inside a compiled graph: whether a step is applied is decided in Python."""
        return None

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    # ------------------------------------------------------------------ what the inner optimizer owns
    @property
    def learning_rate(self) -> torch.Tensor:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value) -> None:
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self) -> torch.Tensor:
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value) -> None:
        self.inner_optimizer.iterations = value

    def _current_learning_rate(self) -> float:
        return self.inner_optimizer._current_learning_rate()

    def set_lr_multipliers(self, multipliers) -> None:
        self.inner_optimizer.set_lr_multipliers(multipliers)

    @property
    def lr_multipliers(self) -> dict[int, float]:
        return self.inner_optimizer.lr_multipliers

    def exclude_from_weight_decay(self, var_list=None, var_names=None) -> None:
        self.inner_optimizer.exclude_from_weight_decay(var_list=var_list, var_names=var_names)

    def _use_weight_decay(self, variable) -> bool:
        return self.inner_optimizer._use_weight_decay(variable)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        from kerastorch import optimizers  # local import: the optimizers package __init__ imports this module
        return {"name": self.name, "inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> "LossScaleOptimizer":
        from kerastorch import optimizers  # local import: the optimizers package __init__ imports this module
        config = dict(config)
        inner = config.pop("inner_optimizer")
        inner = inner if isinstance(inner, Optimizer) else optimizers.deserialize(inner, custom_objects)
        return cls(inner, **config)
