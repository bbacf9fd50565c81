"""RMSprop, Keras formula: epsilon inside the square root."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop as Keras computes it::

        v = rho * v + (1 - rho) * g**2
        denom = v + eps                      # centered: v - a**2 + eps, a = rho*a + (1-rho)*g
        increment = lr * g / sqrt(denom)
        w -= increment                        # momentum > 0: mom = momentum*mom + increment; w -= mom
    """

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _slot_names(self) -> list[str]:
        names = ["velocity"]
        if self.momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        return names

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        rho = self.rho
        velocities = group.slots["velocity"]
        torch._foreach_mul_(velocities, rho)
        torch._foreach_addcmul_(velocities, grads, grads, value=1.0 - rho)
        denominators = torch._foreach_add(velocities, self.epsilon)
        if self.centered:
            averages = group.slots["average_gradient"]
            torch._foreach_lerp_(averages, grads, 1.0 - rho)
            torch._foreach_addcmul_(denominators, averages, averages, value=-1.0)
        torch._foreach_sqrt_(denominators)
        if self.momentum > 0:
            moms = group.slots["momentum"]
            torch._foreach_mul_(moms, self.momentum)
            torch._foreach_addcdiv_(moms, grads, denominators, value=lr)
            torch._foreach_sub_(group.params, moms)
        else:
            torch._foreach_addcdiv_(group.params, grads, denominators, value=-lr)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
