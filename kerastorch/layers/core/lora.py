"""LoRA (low-rank adaptation) for layers with one large weight, as Keras 3 does it.

``enable_lora(rank)`` freezes the stored weight ``W`` (``kernel``; ``embeddings``
for ``Embedding``) and adds two trainable float32 factors ``<prefix>_a`` of Keras
shape ``W.shape[:-1] + (rank,)`` and ``<prefix>_b`` of shape ``(rank, W.shape[-1])``.
The layer then computes with ``W + (lora_alpha / lora_rank) * (a @ b)`` in Keras
layout, converted to the layer's stored layout (Conv keeps torch's).
``a`` starts He-uniform and ``b`` at zeros, so enabling LoRA leaves outputs unchanged.

Files: as Keras, a weights file holds the merged weight in ``W``'s slot and no
factors; loading puts the file's weight in ``W`` and zeroes the factors, so the
layer computes the same values. ``get_weights()`` lists ``W`` (the stored, frozen
value) and both factors, like Keras's ``layer.weights``. Unlike Keras,
``layer.kernel`` stays the stored weight (a registered parameter, what
``state_dict`` and ``get_weights`` read); the merged one is ``lora_merged_weight()``.
"""
from __future__ import annotations

import numpy as np
import torch

from kerastorch import initializers


class LoRAMixin:
    """Adds ``lora_rank``/``lora_alpha``/``enable_lora`` to a layer whose weight ``_lora_target`` it adapts."""

    _lora_target = "kernel"
    _lora_prefix = "lora_kernel"
    _lora_regularizer_attr = "kernel_regularizer"
    _lora_constraint_attr = "kernel_constraint"

    def _init_lora(self, lora_rank: int | None, lora_alpha: float | None) -> None:
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self.lora_enabled = False

    def enable_lora(self, rank: int, lora_alpha: float | None = None, a_initializer="he_uniform",
                    b_initializer="zeros") -> None:
        """Freeze the layer's weight and train a rank-``rank`` update ``(lora_alpha / rank) * a @ b`` instead."""
        if getattr(self, self._lora_constraint_attr, None):
            raise ValueError(f'Lora is incompatible with kernel constraints. In order to enable lora on layer '
                             f'"{self.name}", remove the `{self._lora_constraint_attr}` argument.')
        if not self.built:
            raise ValueError(f'Cannot enable lora on a layer that isn\'t yet built (layer "{self.name}"). Build it '
                             "first, e.g. `layer.build(input_shape)` or call it on data.")
        if self.lora_enabled:
            raise ValueError(f'lora is already enabled on layer "{self.name}". This can only be done once per layer.')
        if not isinstance(rank, int) or isinstance(rank, bool) or rank <= 0:
            raise ValueError(f"`rank` must be a positive integer. Received: rank={rank!r}")
        target_shape = self._keras_shape(self._lora_target)
        regularizer = getattr(self, self._lora_regularizer_attr, None)
        # float32 whatever the layer's dtype (as Keras): small factors under/overflow in half precision.
        self.add_weight(f"{self._lora_prefix}_a", target_shape[:-1] + (rank,),
                        initializers.get(a_initializer), regularizer, dtype="float32")
        self.add_weight(f"{self._lora_prefix}_b", (rank, target_shape[-1]),
                        initializers.get(b_initializer), regularizer, dtype="float32")
        getattr(self, self._lora_target).trainable = False
        self.lora_enabled = True
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank

    def _lora_delta(self) -> torch.Tensor:
        """``(lora_alpha / lora_rank) * a @ b`` in Keras layout."""
        a = getattr(self, f"{self._lora_prefix}_a")
        b = getattr(self, f"{self._lora_prefix}_b")
        return (self.lora_alpha / self.lora_rank) * torch.matmul(a, b)

    def _lora_weight(self) -> torch.Tensor:
        """The weight the layer computes with: stored weight plus the LoRA update, in the stored layout."""
        base = getattr(self, self._lora_target)
        delta = self._weight_from_keras(self._lora_target, self._lora_delta())
        return (base + delta).to(base.dtype)

    def lora_merged_weight(self) -> torch.Tensor:
        """The weight (Keras layout) the layer computes with: ``kernel`` plus the LoRA update when enabled."""
        base = self._weight_in_keras_layout(self._lora_target)
        if not self.lora_enabled:
            return base
        return (base + self._lora_delta()).to(base.dtype)

    # ------------------------------------------------------------ weights files
    def _lora_factor_names(self) -> tuple[str, str]:
        return f"{self._lora_prefix}_a", f"{self._lora_prefix}_b"

    def _to_file_weights(self, values: list) -> list:
        """``get_weights()`` as a Keras weights file holds them: the merged weight, no factors."""
        if not self.lora_enabled:
            return values
        factors = self._lora_factor_names()
        with torch.no_grad():
            merged = self.lora_merged_weight().detach().cpu().numpy()
        out = []
        for (attr, _, _), value in zip(self._own_weight_entries(), values):
            if attr not in factors:
                out.append(merged if attr == self._lora_target else value)
        return out

    def _from_file_weights(self, arrays: list) -> list:
        """A Keras file's arrays for this layer as ``set_weights`` takes them: zero factors added.

        Arrays that do not have the file's count (e.g. a full ``get_weights()`` list) pass unchanged,
        so the caller's count check reports a real mismatch.
        """
        entries = self._own_weight_entries()
        factors = self._lora_factor_names()
        if not self.lora_enabled or len(arrays) != len(entries) - len(factors):
            return arrays
        supplied = iter(arrays)
        return [np.zeros(self._keras_shape(attr), dtype=np.float32) if attr in factors else next(supplied)
                for attr, _, _ in entries]

    def _lora_config(self) -> dict:
        return {"lora_rank": self.lora_rank, "lora_alpha": self.lora_alpha} if self.lora_rank else {}

    def _keras3_tree(self):
        """The file's variable count: the factors are not written (see ``_to_file_weights``)."""
        layout = super()._keras3_tree()
        return layout._replace(own=layout.own - 2) if self.lora_enabled else layout
