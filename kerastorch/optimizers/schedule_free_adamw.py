"""Schedule-free AdamW (Defazio et al., 2024), Keras formula: no learning-rate schedule needed.

The variable holds the interpolation point ``y``; the ``momentum`` slot holds the base
sequence ``z`` (initialised to the variable) and ``x`` is recovered from both each step.
"""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """Per step ``t`` (lr warmed up linearly over ``warmup_steps``)::

        v = b2*v + (1-b2)*g**2
        z -= lr * g / (sqrt(v / (1 - b2**t)) + epsilon)
        x = (y - (1-b1) * z) / b1;   x = (1 - 1/t) * x + z / t     (z: the updated z, as Keras)
        y = (1-b1) * z + b1 * x
    """

    _interleave_slots = True  # Keras creates both slots per variable in one loop

    def __init__(self, learning_rate=0.0025, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8,
                 warmup_steps: int = 0, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def _slot_names(self) -> list[str]:
        return ["momentum", "velocity"]

    def _add_variables(self, variables: list[torch.Tensor]) -> None:
        new = [v for v in variables if id(v) not in self._index]
        super()._add_variables(variables)
        with torch.no_grad():
            for v in new:  # z starts at the variable
                self._slots["momentum"][self._index[id(v)]].copy_(v)

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        if self.warmup_steps > 0:
            lr = lr * min(local_step / self.warmup_steps, 1.0)
        b1, b2 = self.beta_1, self.beta_2
        correction = 1.0 - b2 ** local_step
        weight = 1.0 / local_step
        for y, g, z, v in zip(group.params, grads, group.slots["momentum"], group.slots["velocity"]):
            g = g.to(y.dtype)
            v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
            z.sub_(lr * g / (torch.sqrt(v / correction) + self.epsilon))
            # Keras's torch backend reads the "old" z through an alias of the updated variable, so
            # x is recovered from the new z; kept so that the trajectory equals Keras's.
            x = (y - (1.0 - b1) * z) / b1
            x = (1.0 - weight) * x + weight * z
            y.copy_((1.0 - b1) * z + b1 * x)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
