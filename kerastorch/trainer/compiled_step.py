"""``compile(jit_compile=True)``: the built-in train step as one ``torch.compile`` graph.

Compiling ``train_step`` as written (forward, ``loss.backward()``, optimizer) gives dynamo a
graph break at ``backward`` and at every Python number the optimizer reads, and the pieces run
slower than eager code. This step is written for the compiler instead::

    with no_grad:                                   # one compiled graph:
        grads = grad(loss_of)(params)               #   forward, loss, backward (AOT autograd)
        loss_tracker.update(loss); metrics.update(y, y_pred)
    optimizer.apply(grads, params)                  # eager: one fused/foreach kernel per group

The optimizer stays outside the graph: its update is already one or two fused kernels, and its
Python-number state (iterations, learning rate from a schedule, weight decay) would otherwise
recompile the graph whenever it changes.

The first batch runs the eager ``train_step`` (it builds the model, the metrics and the
optimizer); compiled steps follow. Random ops (Dropout) draw from the compiled graph's own
generator, so a seeded compiled run repeats itself but does not equal the seeded eager run.
Anything dynamo or inductor cannot handle falls back to the eager step with one warning.
"""
from __future__ import annotations

import warnings
from typing import Any

import torch
from torch.func import functional_call, grad_and_value

from kerastorch.trainer.data.data_adapter import unpack_x_y_sample_weight
from kerastorch.trainer.trainer import _batch_size


class CompiledTrainStep:
    """The trainer's ``train_step`` for ``jit_compile=True`` (see the module docstring)."""

    def __init__(self, model) -> None:
        self.model = model
        # dynamic=False: one graph per batch size (usually two: full and last batch); symbolic
        # shapes would fail in some ops under the grad transform (dropout) and run slower.
        self._compiled = torch.compile(self._grads_and_metrics, dynamic=False)
        self._eager = model.train_step
        self._warm = False
        self._failed = False
        self._params: list[torch.Tensor] | None = None
        self._named: dict[str, torch.Tensor] = {}
        unrolled = next((l for l in model._flatten_layers() if getattr(l, "_unrolled_by_compile", False)), None)
        if unrolled is not None:
            self._failed = True
            warnings.warn(f'jit_compile=True: {type(unrolled).__name__} "{unrolled.name}" is a recurrent layer, '
                          "which torch.compile unrolls over every timestep (minutes of compile time); the "
                          "train step of this model runs eagerly (on torch's fused recurrent kernels).",
                          stacklevel=4)

    def __call__(self, data) -> Any:
        model = self.model
        if self._failed or not self._warm or model._loss_scaler is not None:
            # float16 loss scaling inspects gradients between backward and the update: eager only.
            self._warm = True
            return self._eager(data)
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        params = model._trainable_params()
        if not params:
            return self._eager(data)
        if params is not self._params:
            by_id = {id(p): name for name, p in model.named_parameters()}
            self._named = {by_id[id(p)]: p for p in params}
            self._params = params
        try:
            with torch.no_grad():
                grads = self._compiled(self._named, x, y, sample_weight)
        except Exception as e:  # noqa: BLE001 - any failure to compile means "run eagerly"
            self._failed = True
            warnings.warn(f"jit_compile=True: torch.compile could not compile the train step of "
                          f"{type(model).__name__} ({type(e).__name__}: {str(e)[:300]}); training "
                          "continues eagerly.", stacklevel=2)
            return self._eager(data)
        for p, g in zip(params, grads):
            p.grad = g
        model.optimizer.apply(None, params)
        if model._has_constraints:
            model._apply_constraints()
        return model.get_metrics_result()

    def _grads_and_metrics(self, named: dict, x, y, sample_weight) -> list[torch.Tensor]:
        model = self.model

        def loss_of(weights: dict):
            with model._autocast():
                y_pred = functional_call(model, weights, (x,), {"training": True}, strict=False)
                loss = model.compute_loss(x, y, y_pred, sample_weight, training=True)
            return loss, y_pred

        # Called under no_grad (so AOT autograd builds an inference graph, not one that could be
        # differentiated again); torch.func.grad computes its gradients regardless.
        grads, (loss, y_pred) = grad_and_value(loss_of, has_aux=True)(named)
        model._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        if model._compile_metrics is not None:
            model._compile_metrics.update_state(y, y_pred, sample_weight)
        # Inductor may hand back a gradient in a transposed layout (mm of transposed operands);
        # the fused optimizer kernels walk memory in the parameter's layout, so match it here.
        return [g.contiguous() for g in grads.values()]

