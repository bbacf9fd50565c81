"""Lion (sign momentum), Keras formula."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Lion(Optimizer):
    """``w -= lr * sign(b1*m + (1-b1)*g)``; then ``m = b2*m + (1-b2)*g``."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer "
                             f"degenerates to SignSGD. Received: beta_1={beta_1}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def _slot_names(self) -> list[str]:
        return ["momentum"]

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        m = group.slots["momentum"]
        direction = torch._foreach_lerp(m, grads, 1.0 - self.beta_1)
        torch._foreach_sign_(direction)
        torch._foreach_add_(group.params, direction, alpha=-lr)
        torch._foreach_lerp_(m, grads, 1.0 - self.beta_2)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
