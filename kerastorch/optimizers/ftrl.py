"""FTRL-Proximal (McMahan et al., 2013), Keras formula, with Keras's shrinkage and ``beta`` terms."""
from __future__ import annotations

import torch

from kerastorch.optimizers.base_optimizer import Optimizer


class Ftrl(Optimizer):
    """Follow The Regularized Leader::

        n' = n + g**2
        z += g + 2*l2_shrinkage*w - (n'**(-p) - n**(-p)) / lr * w      (p = learning_rate_power)
        w = (clip(z, -l1, l1) - z) / (n'**(-p) / lr + 2 * (l2 + beta / (2 lr)))
    """

    _interleave_slots = True  # Keras creates both slots per variable in one loop

    def __init__(self, learning_rate=0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        checks = (("initial_accumulator_value", initial_accumulator_value, "must be >= 0",
                   initial_accumulator_value < 0),
                  ("learning_rate_power", learning_rate_power, "must be <= 0", learning_rate_power > 0),
                  ("l1_regularization_strength", l1_regularization_strength, "must be >= 0",
                   l1_regularization_strength < 0),
                  ("l2_regularization_strength", l2_regularization_strength, "must be >= 0",
                   l2_regularization_strength < 0),
                  ("l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, "must be >= 0",
                   l2_shrinkage_regularization_strength < 0))
        for arg, value, rule, bad in checks:
            if bad:
                raise ValueError(f"`{arg}` {rule}. Received: {arg}={value}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def _slot_names(self) -> list[str]:
        return ["accumulator", "linear"]

    def _slot_initial_value(self, slot_name: str) -> float:
        return self.initial_accumulator_value if slot_name == "accumulator" else 0.0

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        power = -self.learning_rate_power
        l1 = self.l1_regularization_strength
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrink = 2 * self.l2_shrinkage_regularization_strength
        for w, g, accum, linear in zip(group.params, grads, group.slots["accumulator"], group.slots["linear"]):
            g = g.to(w.dtype)
            new_accum = accum + g * g
            new_pow = torch.pow(new_accum, power)
            linear.add_(g + shrink * w - (new_pow - torch.pow(accum, power)) / lr * w)
            quadratic = new_pow / lr + 2 * l2
            w.copy_((torch.clamp(linear, -l1, l1) - linear) / quadratic)
            accum.copy_(new_accum)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"learning_rate_power": self.learning_rate_power,
                       "initial_accumulator_value": self.initial_accumulator_value,
                       "l1_regularization_strength": self.l1_regularization_strength,
                       "l2_regularization_strength": self.l2_regularization_strength,
                       "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                       "beta": self.beta})
        return config
