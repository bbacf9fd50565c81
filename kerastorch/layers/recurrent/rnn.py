"""``RNN``: runs a cell over the time axis, with Keras's masking, state and direction semantics.

Execution paths, fastest first:

1. **fused**: the built-in LSTM / GRU (``reset_after=True``) / SimpleRNN (tanh, relu) cells
   describe themselves to torch's fused kernels (``_fused_spec``) when their configuration
   matches (Keras's default activations, no recurrent dropout in training); masks are
   supported when every sequence is right-padded (packed sequences).
2. **projected loop**: the built-in cells (and ConvLSTM) project the whole input sequence
   in one matmul/conv (``_input_projection``), and the Python loop only computes the
   recurrent part (``_recurrent_step``).
3. **generic loop**: any other cell (``call(inputs, states) -> (output, new_states)``).

Set ``layer._force_loop = True`` to skip the fused kernels (benchmarks, tests).

Masked steps (Keras semantics): the states carry over unchanged; the output repeats the
previous output (zeros before the first valid step), or is zeros with
``zero_output_for_mask=True`` (set by ``Bidirectional``). With ``go_backwards`` the
sequence and its mask are reversed and the outputs stay in processing order.
"""
from __future__ import annotations

import torch
from torch import nn

import kerastorch.layers.recurrent.fused as fused
from kerastorch._core.tensors import numeric_leaves_to_tensors
from kerastorch.backend import config, tree
from kerastorch.graph.symbolic import is_probing
from kerastorch.layers.layer import Layer
from kerastorch.layers.layer_config import deserialize, serialize
from kerastorch.layers.recurrent.dropout_rnn_cell import DropoutRNNCell
from kerastorch.layers.recurrent.stacked_rnn_cells import StackedRNNCells


class RNN(Layer):
    # The input rank the layer accepts (None: any rank >= 3).
    _expected_ndim: int | None = None
    # torch.compile unrolls the time loop (the fused kernels decompose into per-step ops): minutes
    # of compile time at ordinary sequence lengths, so jit_compile=True trains RNN models eagerly.
    _unrolled_by_compile = True

    def __init__(self, cell, return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 zero_output_for_mask: bool = False, **kwargs):
        kwargs.pop("time_major", None)  # Keras 2 configs; always False there
        kwargs.pop("use_cudnn", None)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not callable(getattr(cell, "call", None)):
            raise ValueError(f"Argument `cell` should have a `call` method. Received: cell={cell!r}")
        if getattr(cell, "state_size", None) is None:
            raise ValueError("The RNN cell should have a `state_size` attribute (single integer or list "
                             f"of integers, one integer per RNN state). Received: cell={cell!r}")
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self.states = None
        self._force_loop = False

    @property
    def state_size(self) -> list:
        size = self.cell.state_size
        return [size] if isinstance(size, int) else list(size)

    # ------------------------------------------------------------------ build
    def build(self, sequences_shape, initial_state_shape=None) -> None:
        shape = _first_shape(sequences_shape)
        self._check_rank(shape)
        step_shape = (shape[0],) + tuple(shape[2:])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
            self.cell._build_input_shape = step_shape
        self.built = True

    def _check_rank(self, shape) -> None:
        ndim = len(shape)
        expected = self._expected_ndim
        if (expected is not None and ndim != expected) or (expected is None and ndim < 3):
            want = f"ndim={expected}" if expected is not None else "min_ndim=3"
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected {want}, found '
                f"ndim={ndim}. Full shape received: {tuple(shape)}. {type(self).__name__} expects inputs "
                "of shape (batch, timesteps, ...features).")

    # ------------------------------------------------------------------- call
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(sequences, (list, tuple)):  # Keras 2 style: layer([x, *initial_states])
            if initial_state is None and len(sequences) > 1:
                initial_state = list(sequences[1:])
            sequences = sequences[0]
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        self._check_rank(tuple(sequences.shape))
        dtype = self._compute_torch_dtype()
        if sequences.dtype != dtype and not torch.is_autocast_enabled():
            sequences = sequences.to(dtype)
        batch = sequences.shape[0]
        if mask is not None:
            mask = mask.to(torch.bool)
            if mask.ndim > 2:
                mask = mask.reshape(mask.shape[0], mask.shape[1], -1).any(-1)
        probing = is_probing()  # a symbolic shape probe: leave stateful states untouched
        states = self._initial_state(initial_state, batch, sequences, probing)
        training = bool(training)
        self._config_dropout_masks(self.cell, sequences, states, training)
        try:
            result = None
            if not self._force_loop:
                result = self._run_fused(sequences, states, mask, training)
            if result is None:
                result = self._run_loop(sequences, states, mask, training)
        finally:
            self._reset_dropout_masks(self.cell)
        last_output, outputs, new_states = result
        if self.stateful and not probing:
            self.states = tree.map_structure(lambda s: s.detach(), new_states)
        output = outputs if self.return_sequences else last_output
        if self.return_state:
            return (output, *new_states)
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def _compute_torch_dtype(self) -> torch.dtype:
        kernel = getattr(self.cell, "kernel", None)
        if isinstance(kernel, torch.Tensor) and kernel.is_floating_point():
            return kernel.dtype
        return config.to_torch_dtype(self._variable_dtype())

    # ------------------------------------------------------------- states
    def get_initial_state(self, batch_size: int):
        fn = getattr(self.cell, "get_initial_state", None)
        if fn is not None:
            state = fn(batch_size=batch_size)
            return list(state) if tree.is_nested(state) else [state]
        dtype = config.to_torch_dtype(self._variable_dtype())
        return [torch.zeros((batch_size, d) if isinstance(d, int) else (batch_size, *d), dtype=dtype)
                for d in self.state_size]

    def _initial_state(self, initial_state, batch: int, sequences: torch.Tensor, probing: bool = False):
        device, dtype = sequences.device, sequences.dtype
        if initial_state is None and self.stateful and not probing:
            if self.states is None or tree.flatten(self.states)[0].shape[0] != batch:
                if self.states is not None:
                    raise ValueError(
                        f'Layer "{self.name}" is stateful and holds states for batch size '
                        f"{tree.flatten(self.states)[0].shape[0]}, but received a batch of size {batch}. "
                        "Stateful RNNs need a fixed batch size; call `reset_states()` after changing it.")
                self.states = self.get_initial_state(batch)
            return tree.map_structure(lambda s: s.to(device=device, dtype=dtype), self.states)
        default = tree.map_structure(lambda s: s.to(device=device, dtype=dtype), self.get_initial_state(batch))
        if initial_state is None:
            return default
        given = tree.flatten(initial_state if tree.is_nested(initial_state) else [initial_state])
        expected = tree.flatten(default)
        given_shapes = [tuple(getattr(s, "shape", ())) for s in given]
        expected_shapes = [tuple(s.shape) for s in expected]
        if len(given) != len(expected) or given_shapes != expected_shapes:
            raise ValueError(
                f'Layer "{self.name}" expects {len(expected)} initial state tensor(s) of shape(s) '
                f"{expected_shapes} (batch size {batch}, state_size={self.cell.state_size}), but received "
                f"initial_state with {len(given)} tensor(s) of shape(s) {given_shapes}.")
        given = [numeric_leaves_to_tensors(s).to(device=device, dtype=dtype) for s in given]
        return tree.pack_sequence_as(default, given)

    def reset_state(self, states=None) -> None:
        """Reset a stateful layer's states to zeros (or to ``states``, arrays in state order).

        A no-op on a layer that is not stateful (as in Keras 3).
        """
        if not self.stateful:
            return
        if self.states is None:
            if states is None:
                batch = (self._batch_input_shape or (None,))[0]
                if batch is None:
                    return
                self.states = self.get_initial_state(batch)
                return
            self.states = self.get_initial_state(int(tree.flatten(states)[0].shape[0]))
        if states is None:
            self.states = tree.map_structure(torch.zeros_like, self.states)
            return
        flat = tree.flatten(self.states)
        values = tree.flatten(states if tree.is_nested(states) else [states])
        if len(values) != len(flat):
            raise ValueError(f'Layer "{self.name}" expects {len(flat)} states, but it received {len(values)} '
                             "state values.")
        new = []
        for current, value in zip(flat, values):
            value = torch.as_tensor(value, dtype=current.dtype, device=current.device)
            if tuple(value.shape) != tuple(current.shape):
                raise ValueError(f'State shape mismatch in layer "{self.name}": expected {tuple(current.shape)}, '
                                 f"received {tuple(value.shape)}.")
            new.append(value.clone())
        self.states = tree.pack_sequence_as(self.states, new)

    def reset_states(self, states=None) -> None:
        """Keras 2 alias of ``reset_state``."""
        self.reset_state(states)

    # -------------------------------------------------------------- dropout
    def _config_dropout_masks(self, cell, sequences, states, training: bool) -> None:
        if not training:
            return
        if isinstance(cell, DropoutRNNCell):
            cell.get_dropout_mask(sequences[:, 0])
            cell.get_recurrent_dropout_mask(tree.flatten(states)[0])
        sub_cells = getattr(cell, "cells", None)
        if sub_cells is not None and any(isinstance(c, DropoutRNNCell) for c in sub_cells):
            # Stacked cells: the masks of inner cells follow the outputs of the cells below.
            step_input = sequences[:, 0]
            for c, s in zip(sub_cells, states):
                flat = tree.flatten(s)
                if isinstance(c, DropoutRNNCell):
                    c.get_dropout_mask(step_input)
                    c.get_recurrent_dropout_mask(flat[0])
                size = getattr(c, "output_size", None) or tree.flatten(c.state_size)[0]
                step_input = torch.zeros(step_input.shape[0], size, dtype=step_input.dtype,
                                         device=step_input.device)

    def _reset_dropout_masks(self, cell) -> None:
        if isinstance(cell, DropoutRNNCell):
            cell.reset_dropout_mask()
            cell.reset_recurrent_dropout_mask()
        for c in getattr(cell, "cells", None) or ():
            self._reset_dropout_masks(c)

    # ------------------------------------------------------------- execution
    def _run_fused(self, sequences, states, mask, training):
        spec_fn = getattr(self.cell, "_fused_spec", None)
        if spec_fn is None:
            return None
        spec = spec_fn(training)
        if spec is None:
            return None
        kind, lengths = fused.analyze_mask(mask)
        if kind == "other":
            return None
        mode, params, has_bias = spec
        x = sequences
        if training and 0.0 < self.cell.dropout < 1.0:
            x = x * self.cell.get_dropout_mask(sequences[:, 0]).unsqueeze(1)
        flat_states = tree.flatten(states)
        if kind == "none":
            if self.go_backwards:
                x = torch.flip(x, [1])
            outputs, finals = fused.run(mode, x, flat_states, params, has_bias)
        else:
            if self.go_backwards:
                x = fused.reverse_padded(x, lengths)
            r, finals = fused.run(mode, x, flat_states, params, has_bias, lengths)
            outputs = fused.arrange_outputs(r, lengths, self.go_backwards, self.zero_output_for_mask)
        return outputs[:, -1], outputs, tree.pack_sequence_as(states, finals)

    def _run_loop(self, sequences, states, mask, training):
        cell = self.cell
        seq_tm = sequences.transpose(0, 1)
        if hasattr(cell, "_recurrent_step") and hasattr(cell, "_input_projection"):
            xs = cell._input_projection(seq_tm, training)

            def step(x, st):
                return cell._recurrent_step(x, st, training)
        else:
            xs = seq_tm
            kwargs = {}
            if isinstance(cell, Layer) and cell._call_has_training:
                kwargs["training"] = training
            call = cell.__call__ if isinstance(cell, nn.Module) else cell.call

            def step(x, st):
                out, new = call(x, st, **kwargs)
                if not tree.is_nested(new):
                    new = [new]
                return out, list(new) if isinstance(new, tuple) else new

        steps = xs.shape[0]
        if steps == 0:
            raise ValueError(f'Layer "{self.name}" received a sequence with 0 timesteps: {tuple(sequences.shape)}.')
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        keep_all = self.return_sequences
        outputs = []
        output = None
        if mask is None:
            for t in order:
                output, states = step(xs[t], states)
                if keep_all:
                    outputs.append(output)
        else:
            mask_tm = mask.transpose(0, 1)
            prev = None
            for t in order:
                m = mask_tm[t]
                new_out, new_states = step(xs[t], states)
                if prev is None:
                    prev = torch.zeros_like(new_out)
                m_out = m.view(-1, *([1] * (new_out.ndim - 1)))
                output = torch.where(m_out, new_out, torch.zeros_like(new_out) if self.zero_output_for_mask
                                     else prev)
                flat_old, flat_new = tree.flatten(states), tree.flatten(new_states)
                merged = [torch.where(m.view(-1, *([1] * (n.ndim - 1))), n, o) for n, o in zip(flat_new, flat_old)]
                states = tree.pack_sequence_as(new_states, merged)
                prev = output
                if keep_all:
                    outputs.append(output)
        stacked = torch.stack(outputs, dim=1) if keep_all else None
        return output, stacked, states

    # --------------------------------------------------------------- config
    def get_config(self) -> dict:
        cfg = {**super().get_config(), "return_sequences": self.return_sequences,
               "return_state": self.return_state, "go_backwards": self.go_backwards,
               "stateful": self.stateful, "unroll": self.unroll,
               "zero_output_for_mask": self.zero_output_for_mask}
        cfg["cell"] = serialize(self.cell)
        return cfg

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        config = dict(config)
        cell = deserialize(config.pop("cell"), custom_objects)
        return cls(cell, **config)


def _first_shape(shape):
    """The sequence shape from a build shape that may be a list ``[x, *states]`` of shapes."""
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple)):
        return tuple(shape[0])
    return tuple(shape)
