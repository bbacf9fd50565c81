"""Adadelta, Keras formula (with a learning rate, default 0.001)."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Adadelta(Optimizer):
    """Keras's Adadelta::

        acc_g = rho * acc_g + (1 - rho) * g**2
        delta = -sqrt(acc_d + eps) * g / sqrt(acc_g + eps)
        acc_d = rho * acc_d + (1 - rho) * delta**2
        w += lr * delta
    """

    _interleave_slots = True  # Keras creates both slots per variable in one loop

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _slot_names(self) -> list[str]:
        return ["accumulated_grad", "accumulated_delta_var"]

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        rho, eps = self.rho, self.epsilon
        acc_g = group.slots["accumulated_grad"]
        acc_d = group.slots["accumulated_delta_var"]
        torch._foreach_mul_(acc_g, rho)
        torch._foreach_addcmul_(acc_g, grads, grads, value=1.0 - rho)
        rms_d = torch._foreach_sqrt(torch._foreach_add(acc_d, eps))
        rms_g = torch._foreach_sqrt(torch._foreach_add(acc_g, eps))
        delta = torch._foreach_div(torch._foreach_mul(rms_d, grads), rms_g)
        torch._foreach_neg_(delta)
        torch._foreach_mul_(acc_d, rho)
        torch._foreach_addcmul_(acc_d, delta, delta, value=1.0 - rho)
        torch._foreach_add_(group.params, delta, alpha=lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
