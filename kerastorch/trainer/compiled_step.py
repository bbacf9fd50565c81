"""``compile(jit_compile=True)``: the built-in train step as one ``torch.compile`` graph.

Compiling ``train_step`` as written (forward, ``loss.backward()``, optimizer) gives dynamo a
graph break at ``backward`` and at every Python number the optimizer reads, and the pieces run
slower than eager code. This step is written for the compiler instead::

    lr, step, scalars = optimizer's numbers for this step      # eager, plain Python
    with no_grad:                                              # one compiled graph:
        grads = grad(loss_of)(params)                          #   forward, loss, backward
        loss_tracker.update(loss); metrics.update(y, y_pred)   #   metric state
        optimizer.update(params, grads, lr, step, scalars)     #   clip, decay, update
    optimizer.iterations += 1; constraints                     # eager

The Python numbers enter the graph as symbolic inputs, so a learning-rate schedule or the
step count never recompiles it; batch dimensions are static (one graph per batch size, usually
two: full batches and the last one). The loss is multiplied by ``optimizer.scale_loss`` inside
the graph; an optimizer that decides per step in Python (gradient accumulation,
``LossScaleOptimizer``, which skips steps whose gradients overflowed) gets the compiled
gradients through its ordinary eager ``apply``.

The first batch runs the eager ``train_step`` (it builds the model, the metrics and the
optimizer, and shows which weights get no gradient: those are left out, as eager training
skips them). Random ops (Dropout) draw from the compiled graph's own generator, so a seeded
compiled run repeats itself but does not equal the seeded eager run. Anything dynamo or
inductor cannot handle falls back to the eager step with one warning.

The protocol this step uses, and nothing else of the model or the optimizer:

* model: ``train_step`` (eager warm-up and fallback), ``_begin_step()`` / ``_step_state()``
  (the ``StepState``: ``params``, ``has_constraints``, ``autocast()``; see ``step_state.py``),
  ``_compiled_loss(x, y, y_pred, sample_weight)`` -> (loss, per-output losses), ``_update_step_metrics(...)``,
  ``get_metrics_result()``, ``_apply_constraints()``, plus torch's ``named_parameters`` /
  ``named_buffers`` and the class flag ``_unrolled_by_compile`` of recurrent layers;
* optimizer: ``scale_loss``, ``apply``, and ``_compiled_update_inputs`` /
  ``_compiled_update`` / ``_finish_compiled_update`` (documented in ``base_optimizer.py``).
"""
from __future__ import annotations

import types
import warnings
from typing import Any

import torch
from torch.func import functional_call, grad_and_value

from kerastorch.utils.data_structures import unpack_x_y_sample_weight


class CompiledTrainStep:
    """The trainer's ``train_step`` for ``jit_compile=True`` (see the module docstring)."""

    def __init__(self, model) -> None:
        self.model = model
        self._forward_and_loss = _ForwardAndLoss(model)
        # dynamo keeps compiled graphs per code object and stops compiling a code object after
        # `recompile_limit` (8) graphs; each model gets its own copy of `_step`'s code so that
        # creating many models in one process (a search, a notebook) never silently runs eagerly.
        step = types.FunctionType(CompiledTrainStep._step.__code__.replace(), globals(), "_step")
        # dynamic=False: shapes stay static, as the module docstring promises. Otherwise dynamo's
        # "automatic dynamic" makes a dimension symbolic once it has seen two sizes for it, which
        # happens across models (the layers' code is shared): a second model with other widths
        # then fails in dropout under the grad transform and trains eagerly.
        self._compiled = torch.compile(types.MethodType(step, self), dynamic=False)
        self._eager = model.train_step
        self._warm = False
        self._failed = False
        self._params: list[torch.Tensor] | None = None
        self._used: list[torch.Tensor] = []  # the trainable weights that get a gradient
        self._no_grad_ids: set[int] = set()
        self._named: dict[str, torch.Tensor] = {}
        self._state: dict[str, torch.Tensor] = {}
        self._update_in_graph = True
        self._numbers: tuple | None = None
        unrolled = next((l for l in model._flatten_layers() if getattr(l, "_unrolled_by_compile", False)), None)
        if unrolled is not None:
            self._failed = True
            warnings.warn(f'jit_compile=True: {type(unrolled).__name__} "{unrolled.name}" is a recurrent layer, '
                          "which torch.compile unrolls over every timestep (minutes of compile time); the "
                          "train step of this model runs eagerly (on torch's fused recurrent kernels).",
                          stacklevel=4)

    def __call__(self, data) -> Any:
        model = self.model
        if self._failed or not self._warm:
            logs = self._eager(data)
            if not self._warm:
                self._warm = True
                self._no_grad_ids = {id(p) for p in model._step_state().params if p.grad is None}
            return logs
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        state = model._begin_step()
        params = state.params
        if params is not self._params:
            by_id = {id(p): name for name, p in model.named_parameters()}
            self._used = [p for p in params if id(p) not in self._no_grad_ids]
            self._named = {f"model.{by_id[id(p)]}": p for p in self._used}
            self._state = {f"model.{name}": b for name, b in model.named_buffers() if b.is_floating_point()}
            self._params = params
        if not self._used:
            return self._eager(data)
        optimizer = model.optimizer
        update = optimizer._compiled_update_inputs(self._used) if self._update_in_graph else None
        if update is not None:
            # The update's Python numbers are constants of the graph: once one changes (a
            # callback set the learning rate, Nadam's momentum schedule), the optimizer runs
            # eagerly after the compiled gradients instead of compiling a graph per value.
            numbers = (update[1], update[3])
            if self._numbers is not None and numbers != self._numbers:
                self._update_in_graph, update = False, None
            self._numbers = numbers
        _static_batch((x, y, sample_weight))
        try:
            with torch.no_grad():
                grads = self._compiled(self._named, self._state, x, y, sample_weight, update)
        except Exception as e:  # noqa: BLE001 - any failure to compile means "run eagerly"
            self._failed = True
            warnings.warn(f"jit_compile=True: torch.compile could not compile the train step of "
                          f"{type(model).__name__} ({type(e).__name__}: {str(e)[:300]}); training "
                          "continues eagerly.", stacklevel=2)
            return self._eager(data)
        with torch.no_grad():
            if update is None:
                optimizer.apply(grads, self._used)
            else:
                optimizer._finish_compiled_update(update)
        if state.has_constraints:
            model._apply_constraints()
        return model.get_metrics_result()

    def _step(self, named: dict, state: dict, x, y, sample_weight, update: tuple | None) -> list | None:
        model = self.model

        def loss_of(weights: dict, state: dict):
            loss, y_pred, per_output = functional_call(self._forward_and_loss, {**weights, **state},
                                                       (x, y, sample_weight), strict=False)
            return model.optimizer.scale_loss(loss), (loss.detach(), y_pred, per_output)

        # Called under no_grad (so AOT autograd builds an inference graph, not one that could be
        # differentiated again); torch.func.grad computes its gradients regardless. The float
        # buffers (BatchNormalization's moving statistics) are arguments of the transformed
        # function too: the grad transform refuses in-place updates of tensors it did not wrap.
        # Their gradients are never used, so the compiler drops them.
        (grads, _), (_, (loss, y_pred, per_output)) = grad_and_value(loss_of, argnums=(0, 1),
                                                                     has_aux=True)(named, state)
        model._update_step_metrics(x, y, y_pred, loss, per_output, sample_weight)
        # Inductor may hand back a gradient in a transposed layout (mm of transposed operands);
        # the fused optimizer kernels walk memory in the parameter's layout, so match it here.
        grads = [g.contiguous() for g in grads.values()]
        if update is None:
            return grads
        model.optimizer._compiled_update(update, grads)
        return None


def _static_batch(structure) -> None:
    """Keep batch dimensions static: symbolic sizes fail in some ops under the grad transform
    (dropout) and give slower kernels; a different last batch compiles one more graph."""
    if isinstance(structure, torch.Tensor):
        torch._dynamo.mark_static(structure)
    elif isinstance(structure, (list, tuple)):
        for item in structure:
            _static_batch(item)
    elif isinstance(structure, dict):
        for item in structure.values():
            _static_batch(item)


class _ForwardAndLoss(torch.nn.Module):
    """The forward pass and the loss as one module call: ``functional_call`` puts the weights being
    differentiated in place for the duration of a call, and weight regularizers read them after
    the forward pass."""

    def __init__(self, model) -> None:
        super().__init__()
        self.model = model

    def forward(self, x, y, sample_weight) -> tuple:
        model = self.model
        with model._step_state().autocast():
            y_pred = model(x, training=True)
            # The per-output loss trackers are updated outside the grad transform, which refuses
            # in-place updates of tensors it did not create.
            loss, per_output = model._compiled_loss(x, y, y_pred, sample_weight)
        return loss, y_pred, per_output

