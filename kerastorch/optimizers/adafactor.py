"""Adafactor (Shazeer & Stern, 2018), Keras formula: factored second moments for rank >= 2 variables."""
from __future__ import annotations

import math

import torch

from kerastorch.optimizers.per_variable_state import PerVariableStateOptimizer


def _rms(x: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(torch.mean(x * x))


class Adafactor(PerVariableStateOptimizer):
    """Adafactor as Keras computes it (step ``t``, ``rho = min(lr, 1/sqrt(t))``)::

        beta_2_t = 1 - t**beta_2_decay;  G = g**2 + epsilon_1
        rank >= 2:  r = b*r + (1-b)*mean(G, -1);  c = b*c + (1-b)*mean(G, -2)
                    v = (r / mean(r, -1))[..., None] * c[..., None, :]
        rank < 2:   v = b*v + (1-b)*G
        u = g / sqrt(v);  u /= max(1, rms(u) / clip_threshold)
        w -= max(epsilon_2, rms(w)) * rho * u
    """

    def __init__(self, learning_rate=0.001, beta_2_decay: float = -0.8, epsilon_1: float = 1e-30,
                 epsilon_2: float = 0.001, clip_threshold: float = 1.0, relative_step: bool = True,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name: str | None = None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _variable_slots(self, variable):
        if variable.dim() >= 2:
            r = torch.zeros(variable.shape[:-1], dtype=variable.dtype, device=variable.device)
            c = torch.zeros(variable.shape[:-2] + variable.shape[-1:], dtype=variable.dtype, device=variable.device)
        else:  # unused, but Keras creates (and saves) a 0-d int32 r and c for these variables too
            r = torch.zeros((), dtype=torch.int32, device=variable.device)
            c = torch.zeros((), dtype=torch.int32, device=variable.device)
        return [("r", r), ("c", c), ("velocity", torch.zeros_like(variable))]

    def _update_group(self, group, grads, lr, local_step, scalars) -> None:
        rho = min(lr, 1.0 / math.sqrt(local_step))
        beta = 1.0 - local_step ** self.beta_2_decay
        for w, g in zip(group.params, grads):
            g = g.to(w.dtype)
            v = self._slot(w, "velocity")
            squared = g * g + self.epsilon_1
            if w.dim() >= 2:
                r, c = self._slot(w, "r"), self._slot(w, "c")
                r.mul_(beta).add_(squared.mean(dim=-1), alpha=1.0 - beta)
                c.mul_(beta).add_(squared.mean(dim=-2), alpha=1.0 - beta)
                v.copy_((r / r.mean(dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2))
            else:
                v.mul_(beta).add_(squared, alpha=1.0 - beta)
            alpha = torch.clamp(_rms(w), min=self.epsilon_2) * rho
            u = g / torch.sqrt(v)
            u = u / torch.clamp(_rms(u) / self.clip_threshold, min=1.0)
            w.sub_(alpha * u)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1,
                       "epsilon_2": self.epsilon_2, "clip_threshold": self.clip_threshold,
                       "relative_step": self.relative_step})
        return config
