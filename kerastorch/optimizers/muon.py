"""Muon (Jordan et al., 2024), Keras formula: orthogonalised momentum for 2-D weights, AdamW for the rest.

A variable gets the Muon update when it is a matrix, is not an embedding (with
``exclude_embeddings``) and its path matches none of ``exclude_layers``; every other variable
gets AdamW with ``learning_rate * adam_lr_ratio`` and ``adam_weight_decay``.
"""
from __future__ import annotations

import math
import re

import torch

from kerastorch.optimizers.base_optimizer import _variable_name
from kerastorch.optimizers.clipping import clip_gradients
from kerastorch.optimizers.per_variable_state import PerVariableStateOptimizer


class Muon(PerVariableStateOptimizer):
    """Muon update for a matrix ``w`` (momentum ``mu``, Newton-Schulz coefficients a, b, c)::

        m = mu*m + g;  d = g + mu*m (nesterov) or m
        O = newton_schulz5(d)        # ~ U V^T of d's SVD, ns_steps iterations
        w -= lr * O * sqrt(max(rows, cols)) * rms_rate
    """

    def __init__(self, learning_rate=0.001, adam_beta_1: float = 0.9, adam_beta_2: float = 0.999,
                 adam_weight_decay: float = 0.004, epsilon: float = 1e-7, weight_decay=0.004, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name: str | None = None, exclude_layers=None, exclude_embeddings: bool = True,
                 muon_a: float = 3.4445, muon_b: float = -4.775, muon_c: float = 2.0315, adam_lr_ratio=1,
                 momentum: float = 0.95, ns_steps: int = 5, nesterov: bool = True, rms_rate: float | None = 0.2,
                 **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: torch.Tensor) -> bool:
        if variable.dim() != 2:
            return True
        path = _variable_name(variable)
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def _variable_slots(self, variable):
        slots = [("momentum", torch.zeros_like(variable))]
        if self._should_use_adamw(variable):
            slots.append(("velocity", torch.zeros_like(variable)))
        return slots

    def _update_groups(self, plan, group_grads, lr, local_step, scalars) -> None:
        group_grads = clip_gradients(group_grads, self.clipnorm, self.global_clipnorm, self.clipvalue)
        for group, grads in zip(plan.groups, group_grads):
            group_lr = lr * group.multiplier
            for w in group.params:  # Keras decays with the optimizer's learning rate, before the updates
                if not self._use_weight_decay(w):
                    continue
                decay = self.adam_weight_decay if self._should_use_adamw(w) else self.weight_decay
                if decay is not None:
                    w.mul_(1.0 - decay * lr)
            for w, g in zip(group.params, grads):
                g = g.to(w.dtype)
                m, v = self._slot_of(w, "momentum"), self._slot_of(w, "velocity")
                if v is not None:
                    self._adamw_step(w, g, group_lr * self.adam_lr_ratio, m, v, local_step)
                else:
                    self._muon_step(w, g, group_lr, m)

    def _adamw_step(self, w, g, lr, m, v, local_step) -> None:
        b1, b2 = self.adam_beta_1, self.adam_beta_2
        alpha = lr * math.sqrt(1.0 - b2 ** local_step) / (1.0 - b1 ** local_step)
        m.lerp_(g, 1.0 - b1)
        v.mul_(b2).addcmul_(g, g, value=1.0 - b2)
        w.sub_(m * alpha / (torch.sqrt(v) + self.epsilon))

    def _muon_step(self, w, g, lr, m) -> None:
        m.mul_(self.momentum).add_(g)
        direction = g + self.momentum * m if self.nesterov else m
        update = lr * self.zeropower_via_newtonschulz5(direction, self.ns_steps)
        if self.rms_rate is not None:
            update = update * math.sqrt(max(update.shape[0], update.shape[1])) * self.rms_rate
        w.sub_(update)

    def zeropower_via_newtonschulz5(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """Keras's quintic Newton-Schulz iteration towards the orthogonal factor of ``x``."""
        if x.dim() < 2:
            raise ValueError(f"Expected gradient or momentum to have at least 2 dimensions. "
                             f"Received: shape={tuple(x.shape)}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)
        for _ in range(steps):
            gram = x @ x.transpose(-2, -1)
            x = a * x + (b * gram + c * gram @ gram) @ x
        return x.transpose(-2, -1) if tall else x

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"adam_beta_1": self.adam_beta_1, "adam_beta_2": self.adam_beta_2, "epsilon": self.epsilon,
                       "exclude_layers": self.exclude_layers, "muon_a": self.muon_a, "muon_b": self.muon_b,
                       "muon_c": self.muon_c, "adam_lr_ratio": self.adam_lr_ratio, "momentum": self.momentum,
                       "ns_steps": self.ns_steps, "nesterov": self.nesterov,
                       "exclude_embeddings": self.exclude_embeddings, "adam_weight_decay": self.adam_weight_decay,
                       "rms_rate": self.rms_rate})
        return config
