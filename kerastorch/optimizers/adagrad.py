"""Adagrad, Keras formula (accumulators start at ``initial_accumulator_value``)."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Adagrad(Optimizer):
    """``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if initial_accumulator_value < 0:
            raise ValueError("`initial_accumulator_value` must be non-negative. Received: "
                             f"{initial_accumulator_value}")
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_names(self) -> list[str]:
        return ["accumulator"]

    def _slot_initial_value(self, slot_name: str) -> float:
        return float(self.initial_accumulator_value)

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        acc = group.slots["accumulator"]
        torch._foreach_addcmul_(acc, grads, grads)
        denom = torch._foreach_add(acc, self.epsilon)
        torch._foreach_sqrt_(denom)
        torch._foreach_addcdiv_(group.params, grads, denom, value=-lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config
