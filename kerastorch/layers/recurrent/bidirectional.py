"""``Bidirectional``: run a recurrent layer forwards and a copy backwards, and merge.

Like Keras, the wrapped layer is rebuilt from its config as ``forward_<name>`` and a
``go_backwards`` copy ``backward_<name>`` (or the given ``backward_layer``); weights are
the forward layer's, then the backward layer's. Both get ``zero_output_for_mask =
return_sequences``, so masked steps of the merged sequence are zeros. With
``return_sequences`` the backward outputs are flipped back to input order.
"""
from __future__ import annotations

import copy

import torch

from kerastorch.layers.layer import Layer
from kerastorch.layers.layer_config import deserialize, serialize
from kerastorch.layers.recurrent.rnn import _first_shape

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _clone(layer: Layer, name: str, go_backwards: bool | None = None) -> Layer:
    """A fresh copy of ``layer`` from its config (Keras's behaviour), renamed."""
    try:
        config = dict(layer.get_config())
        config["name"] = name
        if go_backwards is not None:
            config["go_backwards"] = go_backwards
        return type(layer).from_config(config)
    except (NotImplementedError, TypeError, ValueError, KeyError):
        if layer.built:
            raise
        clone = copy.deepcopy(layer)
        clone.name = name
        if go_backwards is not None:
            clone.go_backwards = go_backwards
        return clone


def _strip(name: str, prefix: str) -> str:
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Run a recurrent layer forwards and a copy backwards over the sequence, and merge their outputs.

    Like Keras, the wrapped layer is re-created from its config as ``forward_<name>``, with a
    ``go_backwards`` copy ``backward_<name>`` (or ``backward_layer``); with
    ``return_sequences`` the backward outputs are flipped back to the input's time order
    before merging.

    Args:
        layer: A recurrent layer instance (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN``...).
        merge_mode: How the two outputs combine: ``"concat"`` (default), ``"sum"``, ``"mul"``,
            ``"ave"``, or None for a list of both.
        weights: Optional initial weights (Keras 2 argument).
        backward_layer: Optional recurrent layer for the backward direction.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``...).

    Call arguments:
        sequences: ``(batch_size, timesteps, features)``.
        initial_state: Optional states of both directions (forward ones first).
        mask: Optional boolean ``(batch_size, timesteps)``.
        training: Whether dropout applies (None: the model's mode).

    Input shape:
        ``(batch_size, timesteps, features)``.

    Output shape:
        That of the wrapped layer, with the last axis doubled for ``"concat"``; with
        ``return_state``, the merged output followed by the states of both directions.

    Example:

    >>> layer = keras.layers.Bidirectional(keras.layers.LSTM(4))
    >>> layer(np.ones((2, 10, 8), "float32")).shape
    torch.Size([2, 8])
    """
    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. "
                             f"Received: {layer!r}")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError(f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: "
                             f"{backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                             '{"sum", "mul", "ave", "concat", None}')
        super().__init__(weights=weights, **kwargs)
        self.forward_layer = _clone(layer, "forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            self.backward_layer = _clone(layer, "backward_" + _strip(layer.name, "backward_"),
                                         go_backwards=not layer.go_backwards)
        else:
            self.backward_layer = backward_layer
        self._verify_layer_config()
        for sub in (self.forward_layer, self.backward_layer):
            if hasattr(sub, "zero_output_for_mask"):
                sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    @property
    def layer(self) -> Layer:
        return self.forward_layer

    def _verify_layer_config(self) -> None:
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer should have different `go_backwards` value. "
                             f"Received: forward_layer.go_backwards={self.forward_layer.go_backwards}, "
                             f"backward_layer.go_backwards={self.backward_layer.go_backwards}")
        for attr in ("stateful", "return_sequences", "return_state"):
            fwd, bwd = getattr(self.forward_layer, attr), getattr(self.backward_layer, attr)
            if fwd != bwd:
                raise ValueError(f'Forward layer and backward layer are expected to have the same value for '
                                 f'attribute "{attr}", got "{fwd}" for forward layer and "{bwd}" for backward '
                                 "layer")

    def build(self, sequences_shape, initial_state_shape=None) -> None:
        shape = _first_shape(sequences_shape)
        for sub in (self.forward_layer, self.backward_layer):
            if not sub.built:
                sub.build(shape)
                sub.built = True
                sub._build_input_shape = shape
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):  # Keras 2 style: layer([x, *initial_states])
            if initial_state is None and len(sequences) > 1:
                initial_state = list(sequences[1:])
            sequences = sequences[0]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        forward_state = backward_state = None
        if initial_state is not None:
            initial_state = list(initial_state)
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        kwargs = {}
        if self.forward_layer._call_has_training:
            kwargs["training"] = training
        if self.forward_layer._call_has_mask and mask is not None:
            kwargs["mask"] = mask
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = torch.flip(y_rev, [1])
        if self.merge_mode == "concat":
            output = torch.cat([y, y_rev], dim=-1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = (y, y_rev)
        if self.return_state:
            return (*output, *states) if self.merge_mode is None else (output, *states)
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:
            n_states = 2 * len(getattr(self.forward_layer, "state_size", [None]))
            outs = output_mask if isinstance(output_mask, list) else [output_mask]
            return outs + [None] * n_states
        return output_mask

    def reset_state(self, states=None) -> None:
        if not self.stateful:
            raise AttributeError("Layer must be stateful.")
        if states is None:
            self.forward_layer.reset_state()
            self.backward_layer.reset_state()
        else:
            half = len(states) // 2
            self.forward_layer.reset_state(states[:half])
            self.backward_layer.reset_state(states[half:])

    def reset_states(self, states=None) -> None:
        self.reset_state(states)

    @property
    def states(self):
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states) + tuple(self.backward_layer.states)
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize(self.forward_layer),
                "backward_layer": serialize(self.backward_layer)}

    def _upgrade_legacy_weights(self, arrays: list, keras_version: str | None, backend: str | None) -> list:
        """The file's first half belongs to the forward layer, the second to the backward one (any count)."""
        half = len(arrays) // 2
        return (self.forward_layer._upgrade_legacy_weights(arrays[:half], keras_version, backend)
                + self.backward_layer._upgrade_legacy_weights(arrays[half:], keras_version, backend))

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = copy.deepcopy(config)
        config["layer"] = deserialize(config["layer"], custom_objects)
        backward = config.pop("backward_layer", None)
        if backward is not None:
            config["backward_layer"] = deserialize(backward, custom_objects)
        return cls(**config)
