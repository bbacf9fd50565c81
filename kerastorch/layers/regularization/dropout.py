"""``Dropout``: in training, zero entries with probability ``rate`` and scale the rest by ``1 / (1 - rate)``.

Identity at inference. ``noise_shape`` (``None`` entries take the input's size)
shares the drop decision along axes of size 1.
"""
from __future__ import annotations

import torch.nn.functional as F

from kerastorch.layers.layer import Layer
from kerastorch.layers.regularization._random import SeedStream, concrete_noise_shape, keep_mask


class Dropout(Layer):
    """Randomly set a fraction ``rate`` of the inputs to 0 in training, scaling the rest by ``1 / (1 - rate)``.

    In inference (``training=False``, or a model in inference mode) the inputs pass unchanged,
    so the expected sum of the activations is the same in both modes.

    Args:
        rate: Fraction of the inputs to drop, in ``[0, 1]``.
        noise_shape: Shape of the keep/drop mask, broadcast against the inputs (e.g.
            ``(batch_size, 1, features)`` drops the same features at every step); None entries
            take the input's size.
        seed: Seed of the masks (reproducible drops).
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        inputs: A tensor of any rank.
        training: Whether to drop (None: the model's mode).

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.Dropout(0.5, seed=1)
    >>> y = layer(np.ones((2, 4), "float32"), training=True)
    >>> sorted(set(y.flatten().tolist())) in ([0.0, 2.0], [2.0], [0.0])
    True
    """
    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                             f"Received: rate={rate}")
        self.rate = float(rate)
        self.noise_shape = tuple(noise_shape) if noise_shape is not None else None
        self.seed = seed
        self._stream = SeedStream(seed)
        self.supports_masking = True

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        return self._dropout(inputs, self.noise_shape)

    def _dropout(self, inputs, noise_shape):
        if self.rate >= 1:
            return inputs * 0
        shape = concrete_noise_shape(inputs, noise_shape, self.name)
        keep = 1.0 - self.rate
        return inputs * (keep_mask(shape, keep, inputs, self._stream) / keep)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate,
                "noise_shape": list(self.noise_shape) if self.noise_shape is not None else None, "seed": self.seed}
