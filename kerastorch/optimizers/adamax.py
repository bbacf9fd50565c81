"""Adamax (infinity-norm Adam), Keras formula."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Adamax(Optimizer):
    """``m = b1*m + (1-b1)*g``; ``u = max(b2*u, |g|)``; ``w -= lr * m / ((1 - b1**t) * (u + eps))``."""

    _interleave_slots = True  # Keras creates (momentum, norm) per variable in one loop

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _slot_names(self) -> list[str]:
        return ["momentum", "norm"]

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        m, u = group.slots["momentum"], group.slots["norm"]
        torch._foreach_lerp_(m, grads, 1.0 - self.beta_1)
        torch._foreach_mul_(u, self.beta_2)
        torch._foreach_maximum_(u, torch._foreach_abs(grads))
        denom = torch._foreach_add(u, self.epsilon)
        correction = 1.0 - self.beta_1 ** local_step
        torch._foreach_addcdiv_(group.params, m, denom, value=-lr / correction)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
