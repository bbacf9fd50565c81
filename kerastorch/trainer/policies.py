"""``TrainingPolicies``: the model-facing training recipes kerastorch adds to Keras.

A mixin of ``keras.Model``. Every method is built on ``fit`` and callbacks (the
training loop has no branch for them):

* ``lr_find``: the learning-rate range test (``LRFinder`` callback), model left untouched;
* ``fit_one_cycle``: ``fit`` with ``OneCycleScheduler`` (max_lr from ``lr_find`` if not given);
* ``freeze`` / ``unfreeze``: fastai-style freezing, BatchNormalization optionally kept trainable;
* ``set_layer_group_lrs``: discriminative learning rates through ``optimizer.set_lr_multipliers``;
* ``fine_tune``: frozen head training, then the whole model with discriminative learning rates.

The logic lives in ``kerastorch/trainer/lr_finder.py`` and ``kerastorch/trainer/fine_tuning.py``.
"""
from __future__ import annotations

from typing import Sequence

from kerastorch.trainer import fine_tuning
from kerastorch.trainer import lr_finder as _lr_finder


class TrainingPolicies:
    """Learning-rate finder, one-cycle training and fine-tuning helpers for ``keras.Model``."""

    def lr_find(self, x=None, y=None, batch_size=None, start_lr: float = 1e-7, end_lr: float = 10.0,
                num_steps: int = 100, smoothing: float = 0.98, diverge_threshold: float | None = 4.0,
                suggest: str = "minimum", verbose=0, **fit_kwargs) -> "_lr_finder.LRFinderResult":
        """Learning-rate range test: ``num_steps`` training steps with the learning rate growing
        exponentially from ``start_lr`` to ``end_lr``; stops early when the smoothed loss (moving
        average with beta ``smoothing``) exceeds ``diverge_threshold`` times its best value.

        The model's weights, buffers, gradients, optimizer (state and iteration count), RNG states
        and metrics are exactly as before the call. Returns an ``LRFinderResult`` with
        ``learning_rates``, ``losses`` (smoothed), ``raw_losses``, ``suggestion`` (float; rule
        ``suggest``: "valley", "steep" or "minimum") and ``plot()``.
        """
        return _lr_finder.lr_find(self, x, y, batch_size=batch_size, start_lr=start_lr, end_lr=end_lr,
                                  num_steps=num_steps, smoothing=smoothing, diverge_threshold=diverge_threshold,
                                  suggest=suggest, verbose=verbose, **fit_kwargs)

    def fit_one_cycle(self, x=None, y=None, epochs: int = 1, max_lr: float | None = None,
                      div_factor: float = 25.0, final_div_factor: float = 1e4, pct_start: float = 0.25,
                      moms: Sequence[float] | None = (0.95, 0.85, 0.95), anneal: str = "cos",
                      lr_find_kwargs: dict | None = None, **fit_kwargs):
        """``fit`` under the one-cycle policy (``keras.callbacks.OneCycleScheduler``). Without
        ``max_lr``, runs ``lr_find`` on the training data first and uses its suggestion (the
        result is kept as ``model.lr_find_result``). Other arguments go to ``fit``; returns its History.
        """
        return fine_tuning.fit_one_cycle(self, x, y, epochs=epochs, max_lr=max_lr, div_factor=div_factor,
                                         final_div_factor=final_div_factor, pct_start=pct_start, moms=moms,
                                         anneal=anneal, lr_find_kwargs=lr_find_kwargs, **fit_kwargs)

    def freeze(self, up_to=None, train_bn: bool = True) -> None:
        """Freeze the layers before ``up_to`` (a layer, name or index; default: the head, i.e. the
        last layer with weights) and make the rest trainable. Frozen BatchNormalization layers run
        in inference mode (Keras 3's rule) unless ``train_bn=True`` keeps them trainable (fastai).
        """
        fine_tuning.freeze(self, up_to=up_to, train_bn=train_bn)

    def unfreeze(self) -> None:
        """Make every layer trainable again."""
        fine_tuning.unfreeze(self)

    def set_layer_group_lrs(self, groups=3, lrs: Sequence[float] | None = None,
                            lr_mult: float | None = None) -> list[float]:
        """Discriminative learning rates: ``groups`` (a count, or a list of layer groups) each get a
        factor of the optimizer's learning rate, from ``lrs`` or spaced geometrically from
        ``1 / lr_mult`` (first group) to 1 (head). Returns the factors.
        """
        return fine_tuning.set_layer_group_lrs(self, groups, lrs=lrs, lr_mult=lr_mult)

    def fine_tune(self, x=None, y=None, epochs: int = 1, base_lr: float = 2e-3, freeze_epochs: int = 1,
                  lr_mult: float = 100.0, train_bn: bool = True, n_groups: int = 3, pct_start: float = 0.3,
                  div_factor: float = 5.0, **fit_kwargs):
        """fastai's recipe: ``freeze()`` and train the head for ``freeze_epochs`` (one-cycle at
        ``base_lr``), then ``unfreeze()`` and train everything for ``epochs`` (one-cycle at
        ``base_lr / 2``, ``n_groups`` layer groups with learning rates from ``base_lr / 2 / lr_mult``
        to ``base_lr / 2``). Returns a History covering both phases.
        """
        return fine_tuning.fine_tune(self, x, y, epochs=epochs, base_lr=base_lr, freeze_epochs=freeze_epochs,
                                     lr_mult=lr_mult, train_bn=train_bn, n_groups=n_groups, pct_start=pct_start,
                                     div_factor=div_factor, **fit_kwargs)
