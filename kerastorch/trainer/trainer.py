"""``compile`` / ``fit`` / ``evaluate`` / ``predict``: the Keras training API on eager torch.

``fit`` reads as pseudo-code::

    callbacks.on_train_begin()
    for epoch in range(initial_epoch, epochs):
        reset metrics; callbacks.on_epoch_begin(epoch)
        logs = run_epoch(train_step, train_data)   # per batch: on_train_batch_begin(step),
                                                   # train_step(batch) (forward, loss, backward,
                                                   # optimizer.apply, metric updates),
                                                   # on_train_batch_end(step, lazy logs: no host sync)
        epoch_logs = metric results (+ "val_" results of evaluate on validation data)
        callbacks.on_epoch_end(epoch, epoch_logs)
        if stop_training: break
    optimizer.finalize_variable_values(trainable_weights)   # EMA weights, as Keras 3 does
    callbacks.on_train_end()

One batch loop (``loop.run_epoch``) serves ``fit``, ``evaluate``, ``predict`` and the
``*_on_batch`` methods. What every step needs to know about the model (its trainable
weights, which layers add losses, the autocast policy) is one explicit ``StepState``
(``step_state.py``), rebuilt when a layer's ``trainable`` changes or ``compile`` runs.

Training policies (early stopping, LR schedules, checkpoints, ...) are callbacks on these
events, never branches in the loop; numerics policies are objects too: loss scaling is the
``LossScaleOptimizer`` wrapper that ``compile`` puts around the optimizer under
``mixed_float16``, and the weight-decay default is set once at ``compile``.
``train_step`` / ``test_step`` / ``predict_step`` can be overridden the way Keras 3
documents for its torch backend.

Data parallelism (``torchrun``, ``keras.distribution.DataParallel``) is a handful of hooks,
``dp = distributed.attach(model)``: ``dp.shard(data)``, ``dp.callback_list(callbacks)`` (rank-0
callbacks), ``dp.global_logs(logs)`` (metrics of all processes), ``dp.fitting(model)`` (DDP
around the training forward); in one process each returns its input (``distributed.py``).
"""
from __future__ import annotations

import numbers
import random
import warnings
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, Union

import numpy as np
import torch

from kerastorch import metrics as metrics_module
from kerastorch import mixed_precision, optimizers
from kerastorch._core import defaults
from kerastorch.backend import config, tree
from kerastorch.callbacks import Callback, CallbackList, History
from kerastorch.layers.layer import _StructureGeneration
from kerastorch.trainer import arguments, compile_config, distributed
from kerastorch.trainer.compile_utils import CompileLoss, CompileMetrics, _flatten_targets
from kerastorch.trainer.compiled_step import CompiledTrainStep
from kerastorch.trainer.data import get_data_adapter, unpack_x_y_sample_weight
from kerastorch.trainer.data.base import text_lists_as_arrays
from kerastorch.trainer.data.splitting import check_shuffle, split_validation
from kerastorch.trainer.loop import LazyLogs, maybe_compile, run_epoch
from kerastorch.trainer.step_state import StepState, build_step_state

# What ``fit``/``evaluate``/``predict`` accept as data: arrays or tensors (or lists / dicts of
# them, for several inputs), a ``keras.utils.PyDataset``, a torch ``DataLoader``, or a Python
# generator / iterable of batches.
InputData = Union[np.ndarray, torch.Tensor, Sequence[Any], Mapping[str, Any], Iterable[Any], None]

_FIT_ARGS = ("x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split", "validation_data",
             "shuffle", "class_weight", "sample_weight", "initial_epoch", "steps_per_epoch", "validation_steps",
             "validation_batch_size", "validation_freq", "drop_remainder")
_EVALUATE_ARGS = ("x", "y", "batch_size", "verbose", "sample_weight", "steps", "callbacks", "return_dict")
_PREDICT_ARGS = ("x", "batch_size", "verbose", "steps", "callbacks")


if TYPE_CHECKING:  # Trainer is mixed into Model (Layer + Trainer): type-check its methods against a Layer
    from kerastorch.layers.layer import Layer as _TrainerHost
else:
    _TrainerHost = object


class Trainer(_TrainerHost):
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self.run_eagerly = False
        self.jit_compile = False
        self.steps_per_execution = 1
        self._compile_loss = None
        self._compile_metrics = None
        self._compile_optimizer = None
        self._loss_tracker = None
        self._output_loss_trackers: list = []
        self._step_cache: dict = {}
        self.__dict__["_state"] = StepState()  # stale until the first step (see step_state.py)
        self._shuffle_generator = torch.Generator()
        self._shuffle_generator.manual_seed(int(torch.randint(0, 2 ** 62, (1,)).item()))

    # ------------------------------------------------------------- compile
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None, weighted_metrics=None,
                run_eagerly: bool = False, steps_per_execution: int = 1, jit_compile="auto",
                auto_scale_loss: bool = True, **kwargs) -> None:
        """Configure the model for training (Keras semantics; see the Keras docs for each argument).

        Under the ``mixed_float16`` policy (and ``auto_scale_loss=True``) the optimizer is wrapped
        in a ``LossScaleOptimizer``, as Keras does. With kerastorch's weight-decay default
        (``keras.config`` ``"weight_decay_skips_biases_and_norms"``) an optimizer with
        ``weight_decay`` and no exclusions of the user's skips 1-D variables (biases, norms).
        """
        for legacy in ("sample_weight_mode", "target_tensors", "distribute"):
            if kwargs.pop(legacy, None) is not None:
                warnings.warn(f"`compile({legacy}=...)` is a Keras 2 argument that kerastorch ignores.",
                              DeprecationWarning, stacklevel=2)
        if kwargs:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {sorted(kwargs)}. Valid arguments: "
                            "optimizer, loss, loss_weights, metrics, weighted_metrics, run_eagerly, "
                            "steps_per_execution, jit_compile, auto_scale_loss.")
        optimizer = optimizers.get(optimizer)
        self._compile_optimizer = optimizer
        _apply_weight_decay_default(optimizer)
        if auto_scale_loss and optimizer is not None and mixed_precision.global_policy().name == "mixed_float16" \
                and not isinstance(optimizer, optimizers.LossScaleOptimizer):
            optimizer = optimizers.LossScaleOptimizer(optimizer, name="loss_scale_optimizer")
        self.optimizer = optimizer
        self.loss = loss
        self._compile_loss = CompileLoss(loss, loss_weights) if loss is not None else None
        self._compile_metrics = CompileMetrics(metrics, weighted_metrics)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._output_loss_trackers = []
        self.run_eagerly = run_eagerly
        self.jit_compile = jit_compile is True
        self.steps_per_execution = steps_per_execution
        self.compiled = True
        self._step_cache = {}
        self._invalidate_step_state()
        self.__dict__.pop("_metrics_cache", None)

    def get_compile_config(self) -> dict | None:
        """The ``compile()`` arguments (what ``model.save`` stores so that ``load_model`` can recompile)."""
        if not self.compiled:
            return None
        spec = self._compile_metrics
        loss_spec = self._compile_loss
        # The optimizer as passed to compile (Keras stores it before the LossScaleOptimizer wrap).
        optimizer = self._compile_optimizer if self._compile_optimizer is not None else self.optimizer
        return {"optimizer": optimizer, "loss": self.loss,
                "loss_weights": getattr(loss_spec, "_weights_spec", None),
                "metrics": getattr(spec, "_spec", None), "weighted_metrics": getattr(spec, "_weighted_spec", None),
                "run_eagerly": self.run_eagerly, "steps_per_execution": self.steps_per_execution,
                "jit_compile": self.jit_compile}

    def compile_from_config(self, config: dict) -> None:
        """``compile()`` from ``get_compile_config()`` output, its objects rebuilt (``load_model`` calls this)."""
        compile_config.compile_with(self, compile_config.compile_arguments(config))

    @property
    def metrics(self) -> list:
        """The metrics ``fit`` resets every epoch and logs: the loss tracker, the per-output loss
        trackers, each compiled metric (Keras 3 wraps these in one "compile_metrics" object), then the
        metrics assigned to attributes of the model and of its layers (not of nested models), as
        Keras tracks them."""
        key = (self._compile_metrics is not None and self._compile_metrics.built, len(self._output_loss_trackers),
               _StructureGeneration.value)
        cached = self.__dict__.get("_metrics_cache")
        if cached is not None and cached[0] == key:
            return cached[1]
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        out.extend(self._output_loss_trackers)
        if self._compile_metrics is not None:
            out.extend(self._compile_metrics.metrics)
        out.extend(m for m in self._tracked_metrics() if all(m is not o for o in out))
        self.__dict__["_metrics_cache"] = (key, out)
        return out

    def _tracked_metrics(self) -> list:
        """The metrics assigned to attributes of the model and of its layers, skipping nested models'
        own (Keras: "a new Trainer has been instantiated")."""
        return [m for layer in self._flatten_layers() if layer is self or not isinstance(layer, Trainer)
                for m in layer._attribute_metrics()]

    def _flat_log_order(self) -> list[str]:
        """The order of ``evaluate``'s (and ``*_on_batch``'s) list of values, as Keras's
        ``_flatten_metrics_in_order`` comes out: the loss, the compiled metrics where their names are the
        log keys (one output: Keras's sub-metric names carry no output prefix), the per-output losses,
        the metrics assigned to attributes; every other entry follows by name."""
        compiled = [m.name for m in self._compile_metrics.metrics] if self._compile_metrics is not None else []
        names = [self._loss_tracker.name] if self._loss_tracker is not None else []
        if not self._output_loss_trackers:
            names += compiled
        names += [t.name for t in self._output_loss_trackers]
        # Then the attribute metrics, in model.metrics order (several outputs' compiled metrics come later, by name).
        return names + [m.name for m in self.metrics if m.name not in names and m.name not in compiled]

    @property
    def metrics_names(self) -> list[str]:
        """The name of each value in ``evaluate()``'s list, in its order, so that
        ``dict(zip(model.metrics_names, model.evaluate(x, y)))`` pairs every value with its metric
        (Keras 2's list). Keras 3 lists "loss", one "compile_metrics" entry for all the compiled
        metrics, then the per-output losses; ``keras.config.set_default("metrics_names", "keras")``
        (or ``use_keras_defaults()``) gives that list."""
        if defaults.get("metrics_names") == "keras":
            compiled = self._compile_metrics is not None and (self._compile_metrics._spec is not None
                                                              or self._compile_metrics._weighted_spec is not None)
            losses = ([self._loss_tracker.name] if self._loss_tracker is not None else []) \
                + (["compile_metrics"] if compiled else [])
            tracked = [m.name for m in self._tracked_metrics()]
            return losses + [t.name for t in self._output_loss_trackers] + list(dict.fromkeys(tracked))
        names = [m.name for m in self.metrics]
        first = [n for n in self._flat_log_order() if n in names]
        return first + sorted(n for n in names if n not in first)

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset_state()

    # ---------------------------------------------------------- step state
    def _step_state(self) -> StepState:
        """The current ``StepState`` (rebuilt here when stale; see ``step_state.py``)."""
        state = self.__dict__.get("_state")
        if state is None or not state.is_current():
            state = self.__dict__["_state"] = build_step_state(self)
        return state

    def _begin_step(self) -> StepState:
        """The step state, with losses left over from calls outside a step (``predict``, a direct
        ``model(x)``) dropped, as Keras drops them when an outermost call starts."""
        state = self._step_state()
        for layer in state.loss_layers:
            if layer._losses:
                layer._losses = []
        return state

    def _invalidate_step_state(self) -> None:
        """Make the next step re-read the trainable weights, loss layers and policy."""
        self.__dict__["_state"] = StepState()

    # ------------------------------------------------------------- steps
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training: bool = True) -> torch.Tensor:
        """The compiled loss plus regularization losses (``model.losses``), like Keras 3."""
        total, per_output = self._total_loss(y, y_pred, sample_weight)
        self._track_output_losses(y_pred, per_output)
        return total

    def _total_loss(self, y, y_pred, sample_weight) -> tuple[torch.Tensor, list]:
        """``compute_loss`` without updating the per-output loss trackers: (total, per-output losses)."""
        if self._compile_loss is None:
            total, per_output = None, []
        else:
            self._maybe_build_compiled(y, y_pred)
            total, per_output = self._compile_loss(y, y_pred, sample_weight)
        for extra in self._regularization_losses():
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError("The model has no loss to optimize: pass `loss=` to `compile()`, or add losses with "
                             "`add_loss()` in a layer, or override `train_step`.")
        return total, per_output

    def _track_output_losses(self, y_pred, per_output: list) -> None:
        if self._output_loss_trackers:
            batch = _batch_size(y_pred)
            for tracker, value in zip(self._output_loss_trackers, per_output):
                if value is not None:
                    tracker.update_state(value.detach(), sample_weight=batch)

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> "LazyLogs":
        self._maybe_build_compiled(y, y_pred)
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self) -> "LazyLogs":
        return LazyLogs(self.metrics)

    def train_step(self, data) -> Any:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with self._begin_step().autocast():
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=True)
        self._loss_tracker.update_state(loss.detach(), sample_weight=_batch_size(x))
        # Read after the forward pass: a subclassed model creates its weights on its first call.
        state = self._step_state()
        params = state.params
        if params:
            for p in params:
                p.grad = None
            # The identity for a plain optimizer; LossScaleOptimizer multiplies by its scale and
            # its `apply` unscales (or skips a step whose gradients overflowed).
            self.optimizer.scale_loss(loss).backward()
            self.optimizer.apply(None, params)
            if state.has_constraints:
                self._apply_constraints()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data) -> Any:
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        with self._begin_step().autocast():
            y_pred = self(x, training=False)
            loss = self.compute_loss(x, y, y_pred, sample_weight, training=False)
        self._loss_tracker.update_state(loss.detach(), sample_weight=_batch_size(x))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data) -> Any:
        x, _, _ = unpack_x_y_sample_weight(data)
        state = self._step_state()
        if state.autocast_dtype is None:
            return self(x, training=False)
        with state.autocast():
            return self(x, training=False)

    # --------------------------------------------------------------- fit
    def fit(self, x: InputData = None, y: InputData = None, batch_size: int | None = None, epochs: int = 1,
            verbose: str | int = "auto", callbacks: "Sequence[Callback] | None" = None,
            validation_split: float = 0.0, validation_data: Any = None, shuffle: bool | str = True,
            class_weight: Mapping[int, float] | None = None, sample_weight: InputData = None,
            initial_epoch: int = 0, steps_per_epoch: int | None = None, validation_steps: int | None = None,
            validation_batch_size: int | None = None, validation_freq: int | Sequence[int] = 1,
            drop_remainder: bool = False, **kwargs: Any) -> "History":
        """Train the model for a fixed number of epochs (dataset iterations).

        The loop, as pseudo-code, is in this module's docstring: per epoch, ``run_epoch`` over
        the training batches, then validation, then ``on_epoch_end``; after the last epoch
        ``optimizer.finalize_variable_values`` (EMA weights), then ``on_train_end``.

        Args:
            x: Input data: a NumPy array or torch tensor (or a list/dict of them for several
                inputs), a ``keras.utils.PyDataset``, a torch ``DataLoader``, or a generator /
                iterable yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches.
            y: Target data, like ``x``. Must be None when ``x`` already yields targets.
            batch_size: Integer >= 1 or None (32). Samples per gradient update, for array data only.
            epochs: Integer >= 0. Index of the epoch to stop at (trains ``epochs - initial_epoch``
                epochs).
            verbose: ``"auto"`` (= 1), 0 (silent), 1 (progress bar) or 2 (one line per epoch).
            callbacks: ``keras.callbacks.Callback`` instances called during training.
            validation_split: Float in [0, 1): fraction of the training arrays held out for
                validation. kerastorch draws a seeded, stratified random split by default
                (``keras.config.set_default("validation_split", "last")`` gives Keras's
                last-fraction split).
            validation_data: ``(x_val, y_val)``, ``(x_val, y_val, sample_weight_val)``, or a dataset,
                evaluated at the end of each epoch (overrides ``validation_split``).
            shuffle: Whether to shuffle array data before each epoch (``"batch"``: within batches).
            class_weight: Optional ``{class index: weight}`` that scales the loss per sample.
            sample_weight: Optional per-sample (or per-timestep) weights for the training loss.
            initial_epoch: Integer >= 0. Epoch at which to start (to resume a run).
            steps_per_epoch: Integer >= 1 or None. Batches per epoch (None: the whole data).
            validation_steps: Integer >= 1 or None. Batches of validation data per validation.
            validation_batch_size: Integer >= 1 or None (``batch_size``). Validation batch size.
            validation_freq: Integer >= 1 (validate every N epochs) or a list of 1-based epochs.
            drop_remainder: kerastorch extra: drop the last incomplete training batch (whose batch
                statistics can destabilise BatchNormalization).

        Returns:
            A ``History`` whose ``history`` attribute maps each logged name to its per-epoch values.
        """
        self._check_compiled("fit")
        arguments.check_unknown_kwargs("fit", kwargs, _FIT_ARGS)
        arguments.check_fit_arguments(batch_size, epochs, verbose, initial_epoch, steps_per_epoch, validation_steps,
                                      validation_batch_size, validation_freq)
        device = self._prepare_device()
        dp = distributed.attach(self)  # one process: hooks that return their input
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = split_validation(x, y, sample_weight, validation_split,
                                                                      verbose=verbose != 0)
        shuffle = check_shuffle(self, x, shuffle)
        train_data = get_data_adapter(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps_per_epoch,
                                      shuffle=shuffle, class_weight=class_weight, device=device,
                                      drop_remainder=drop_remainder, seed_generator=self._shuffle_generator)
        train_data = dp.shard(train_data, "train")
        val_data = None
        if validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data) \
                if isinstance(validation_data, (tuple, list)) else (validation_data, None, None)
            val_data = get_data_adapter(vx, vy, vsw, batch_size=validation_batch_size or batch_size,
                                        steps_per_epoch=validation_steps, shuffle=False, device=device)
            val_data = dp.shard(val_data, "test")
        callback_list = dp.callback_list(self._callback_list(callbacks, verbose, epochs, train_data.num_batches,
                                             add_history=True))
        self.stop_training = False
        with dp.fitting(self):
            return self._fit_loop(train_data, val_data, callback_list, dp, epochs, initial_epoch, validation_freq)

    def _fit_loop(self, train_data, val_data, callbacks, dp, epochs, initial_epoch, validation_freq) -> "History":
        train_step = self._step_function("train")
        callbacks.on_train_begin()
        # BackupAndRestore (on_train_begin) sets the epoch to resume from.
        initial_epoch = max(initial_epoch, getattr(self, "_initial_epoch", None) or 0)
        self._initial_epoch = None
        epoch_logs: dict = {}
        self.train()
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                logs = run_epoch(self, train_step, train_data.iter_epoch(), "train", callbacks)
                train_data.on_epoch_end()
                if logs is None:
                    warnings.warn("The training data produced no batches this epoch (a generator that ran "
                                  "out of data?). Stopping training.", stacklevel=2)
                    break
                epoch_logs = _to_python(dp.global_logs(self, logs))  # all processes' values
                if val_data is not None and _should_validate(epoch, validation_freq):
                    val_logs = self._evaluate_loop(val_data, callbacks, dp)
                    self.train()
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                epoch_logs = _sorted_logs(epoch_logs)
                callbacks.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
        finally:
            self.eval()
        if epochs > 0:  # Keras 3: the EMA weights (use_ema=True) become the model's weights
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(epoch_logs)
        return self.history

    # ---------------------------------------------------------- evaluate
    def evaluate(self, x: InputData = None, y: InputData = None, batch_size: int | None = None,
                 verbose: str | int = "auto", sample_weight: InputData = None, steps: int | None = None,
                 callbacks: "Sequence[Callback] | None" = None, return_dict: bool = False,
                 **kwargs: Any) -> float | list[float] | dict[str, float]:
        """The loss and metric values of the model on the given data, batch by batch.

        Args:
            x: Input data, as for ``fit``.
            y: Target data, as for ``fit`` (None when ``x`` yields targets).
            batch_size: Integer >= 1 or None (32). Samples per batch, for array data only.
            verbose: ``"auto"`` (= 1), 0 (silent), 1 (progress bar) or 2 (a single line).
            sample_weight: Optional per-sample weights for the loss and weighted metrics.
            steps: Integer >= 1 or None. Batches to evaluate (None: the whole data).
            callbacks: ``keras.callbacks.Callback`` instances called during evaluation.
            return_dict: Return ``{name: value}`` instead of a list (or a scalar for the loss only).

        Returns:
            The loss (a float) when the model has no metrics, else a list of the loss and the
            metric values in ``model.metrics_names`` order, or a dict with ``return_dict=True``.
        """
        self._check_compiled("evaluate")
        arguments.check_unknown_kwargs("evaluate", kwargs, _EVALUATE_ARGS)
        arguments.check_positive_int("batch_size", batch_size)
        arguments.check_steps("steps", steps)
        arguments.check_verbose(verbose)
        device = self._prepare_device()
        dp = distributed.attach(self)
        data = get_data_adapter(x, y, sample_weight, batch_size=batch_size, steps_per_epoch=steps, shuffle=False,
                                device=device)
        data = dp.shard(data, "test")
        callback_list = dp.callback_list(self._callback_list(callbacks, verbose, 1, data.num_batches))
        with dp.collectives():
            logs = self._evaluate_loop(data, callback_list, dp)
        return _format_logs(logs, return_dict, self._flat_log_order())

    def _evaluate_loop(self, data, callbacks, dp=distributed.SINGLE_PROCESS) -> dict:
        test_step = self._step_function("test")
        self.eval()
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = run_epoch(self, test_step, data.iter_epoch(), "test", callbacks)
        if logs is None:
            raise ValueError("The evaluation data produced no batches. Check `steps` and the data passed.")
        result = _to_python(dp.global_logs(self, logs))
        callbacks.on_test_end(_sorted_logs(result))
        return result

    # ----------------------------------------------------------- predict
    def predict(self, x: InputData, batch_size: int | None = None, verbose: str | int = "auto",
                steps: int | None = None, callbacks: "Sequence[Callback] | None" = None,
                **kwargs: Any) -> np.ndarray | Any:
        """Predictions for ``x``, batch by batch, as NumPy arrays.

        Args:
            x: Input data, as for ``fit`` (targets in an ``(x, y)`` dataset are ignored).
            batch_size: Integer >= 1 or None (32). Samples per batch, for array data only.
            verbose: ``"auto"`` (= 1), 0 (silent), 1 (progress bar) or 2 (a single line).
            steps: Integer >= 1 or None. Batches to predict (None: the whole data).
            callbacks: ``keras.callbacks.Callback`` instances called during prediction.

        Returns:
            A NumPy array, or the structure of the model's outputs (list / dict) of arrays.
        """
        arguments.check_unknown_kwargs("predict", kwargs, _PREDICT_ARGS)
        arguments.check_positive_int("batch_size", batch_size)
        arguments.check_steps("steps", steps)
        arguments.check_verbose(verbose)
        device = self._prepare_device()
        x = text_lists_as_arrays(x)  # a list of texts is one input, not an (x, y) pair
        if isinstance(x, (tuple, list)) and len(x) in (2, 3) and not _is_model_input_list(self, x):
            x = x[0]
        dp = distributed.attach(self)
        data = get_data_adapter(x, None, None, batch_size=batch_size, steps_per_epoch=steps, shuffle=False,
                                device=device)
        data = dp.shard(data, "predict")
        callback_list = dp.callback_list(self._callback_list(callbacks, verbose, 1, data.num_batches))
        predict_step = self._step_function("predict")
        self._set_eval_mode()
        callback_list.on_predict_begin()
        outputs = dp.gather_predictions(run_epoch(self, predict_step, data.iter_epoch(), "predict", callback_list))
        callback_list.on_predict_end()
        if not outputs:
            raise ValueError("The prediction data produced no batches.")
        return _concatenate(outputs)

    # ---------------------------------------------------- single batches
    def train_on_batch(self, x: InputData, y: InputData = None, sample_weight: InputData = None,
                       class_weight: Mapping[int, float] | None = None,
                       return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """One gradient update on one batch; returns the loss and metric values (metrics reset first)."""
        self._check_compiled("train_on_batch")
        data = get_data_adapter(x, y, sample_weight, batch_size=_num_samples(x), shuffle=False,
                                class_weight=class_weight, device=self._prepare_device())
        step = self._step_function("train")
        self.reset_metrics()
        self.train()
        try:
            logs = run_epoch(self, step, data.iter_epoch(), "train")
        finally:
            self.eval()
        return _format_logs(_to_python(logs), return_dict, self._flat_log_order())

    def test_on_batch(self, x: InputData, y: InputData = None, sample_weight: InputData = None,
                      return_dict: bool = False) -> float | list[float] | dict[str, float]:
        """The loss and metric values on one batch (metrics reset first)."""
        self._check_compiled("test_on_batch")
        data = get_data_adapter(x, y, sample_weight, batch_size=_num_samples(x), shuffle=False,
                                device=self._prepare_device())
        step = self._step_function("test")
        self.reset_metrics()
        self.eval()
        logs = run_epoch(self, step, data.iter_epoch(), "test")
        return _format_logs(_to_python(logs), return_dict, self._flat_log_order())

    def predict_on_batch(self, x: InputData) -> np.ndarray | Any:
        """Predictions for one batch, as NumPy arrays."""
        data = get_data_adapter(x, None, None, batch_size=_num_samples(x), shuffle=False,
                                device=self._prepare_device())
        step = self._step_function("predict")
        self._set_eval_mode()
        return _concatenate(run_epoch(self, step, data.iter_epoch(), "predict"))

    # ---------------------------------------------------------- internals
    def _check_compiled(self, what: str) -> None:
        if not self.compiled:
            raise RuntimeError(f"You must call `compile()` before using the model in `{what}()`. For example: "
                               "`model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')`.")

    def _prepare_device(self) -> torch.device:
        """Move the model to the training device (CUDA when available) once; a new device or a new
        global dtype policy makes the step state stale."""
        device = config.get_device()
        first: torch.Tensor | None = next(iter(self.parameters()), None)
        if first is None:
            first = next(iter(self.buffers()), None)
        if first is not None and first.device != device:
            self.to(device)
            self._invalidate_step_state()
        policy = getattr(self.__dict__.get("_state"), "policy", None)
        if policy is not None and policy is not mixed_precision.global_policy():
            self._invalidate_step_state()
        return device

    def _set_eval_mode(self) -> None:
        """``self.eval()`` when any module is still in training mode (predict runs this on every call)."""
        if any(module.training for module in self.modules()):
            self.eval()

    def _regularization_losses(self) -> list[torch.Tensor]:
        """The ``add_loss`` losses of the last forward pass (emptied once read) and the weight
        regularization losses, from the layers the step state lists."""
        out = []
        for layer in self._step_state().loss_layers:
            if layer._losses:
                out.extend(layer._losses)
                layer._losses = []
            regs = getattr(layer, "_weight_regularizers", None)
            if regs:
                out.extend(reg(layer._weight_in_keras_layout(attr)) for attr, reg in regs)
        return out

    def _maybe_build_compiled(self, y, y_pred) -> None:
        if self._compile_loss is not None and not self._compile_loss.built:
            names = _output_names(self, y_pred)
            self._compile_loss.build(names)
            if len(names) > 1:
                self._output_loss_trackers = [metrics_module.Mean(name=f"{n}_loss") for n in names
                                              if self._compile_loss.losses[names.index(n)] is not None]
        if self._compile_metrics is not None and not self._compile_metrics.built:
            names = _output_names(self, y_pred)
            y_pred_flat = tree.flatten(y_pred)
            losses = self._compile_loss.losses if self._compile_loss is not None else [None] * len(names)
            self._compile_metrics.build(names, losses, _flatten_targets(y, names, len(y_pred_flat)), y_pred_flat)

    # The compiled train step's side of its protocol (see compiled_step.py).
    def _compiled_loss(self, x, y, y_pred, sample_weight) -> tuple[torch.Tensor, list]:
        """(total loss, detached per-output losses) for the compiled step; the user's own
        ``compute_loss`` when overridden (then without per-output losses)."""
        if type(self).compute_loss is not Trainer.compute_loss:
            return self.compute_loss(x, y, y_pred, sample_weight, training=True), []
        loss, per_output = self._total_loss(y, y_pred, sample_weight)
        return loss, [None if v is None else v.detach() for v in per_output]

    def _update_step_metrics(self, x, y, y_pred, loss: torch.Tensor, per_output: list, sample_weight) -> None:
        """Loss tracker, per-output loss trackers and compiled metrics after a compiled step."""
        self._track_output_losses(y_pred, per_output)
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)

    def _step_function(self, mode: str):
        """The (optionally torch.compile'd) train/test/predict step, cached per compile()."""
        fn = self._step_cache.get(mode)
        if fn is None:
            if self.steps_per_execution != 1:
                # Keras's torch backend runs one batch per step call and refuses any other value.
                raise ValueError("`steps_per_execution` must be 1 with the PyTorch backend. "
                                 f"Received: steps_per_execution={self.steps_per_execution}")
            fn = {"train": self.train_step, "test": self.test_step, "predict": self.predict_step}[mode]
            # jit_compile compiles training only: an inference step is a few kernels under no_grad,
            # where a compiled graph's per-call guard checks cost more than they save (overhead
            # workload: compiled predict ran at 0.44x the eager one).
            if self.jit_compile and not self.run_eagerly and mode == "train":
                if type(self).train_step is Trainer.train_step:
                    fn = CompiledTrainStep(self)
                else:  # the user's own train_step, compiled as written
                    fn = maybe_compile(fn, f"{type(self).__name__}.train_step")
            self._step_cache[mode] = fn
        return fn

    def _callback_list(self, callbacks, verbose, epochs, steps, add_history=False):
        verbose = arguments.check_verbose(verbose)
        return CallbackList(callbacks, add_history=add_history, add_progbar=verbose != 0, model=self,
                            verbose=verbose, epochs=epochs, steps=steps)

    # RNG state, so that BackupAndRestore can resume a run bit-for-bit.
    def _get_rng_state(self) -> dict:
        state = {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate(),
                 "shuffle": self._shuffle_generator.get_state()}
        if torch.cuda.is_available():
            state["cuda"] = torch.cuda.get_rng_state_all()
        return state

    def _set_rng_state(self, state: dict) -> None:
        torch.set_rng_state(state["torch"])
        np.random.set_state(state["numpy"])
        random.setstate(state["python"])
        self._shuffle_generator.set_state(state["shuffle"])
        if "cuda" in state and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda"])


# ---------------------------------------------------------------- helpers
def _apply_weight_decay_default(optimizer) -> None:
    """kerastorch's default, decided once at ``compile``: no weight decay on 1-D variables (biases,
    normalization weights), as fastai does, unless the user chose exclusions or turned it off."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if inner is not None and getattr(inner, "weight_decay", None) \
            and defaults.get("weight_decay_skips_biases_and_norms"):
        inner._skip_decay_of_1d_variables()


def _batch_size(x) -> int:
    first = tree.flatten(x)[0]
    return int(first.shape[0]) if hasattr(first, "shape") and len(first.shape) else 1


def _num_samples(x) -> int:
    first = tree.flatten(text_lists_as_arrays(x))[0]  # a list of texts is one input of len(x) samples
    return int(first.shape[0])


def _to_python(logs) -> dict:
    items = logs.items() if hasattr(logs, "items") else {}
    return {k: _to_python_value(v) for k, v in items}


def _to_python_value(value):
    """A float for scalars; a numpy array for vector results (F1Score(average=None)), as Keras logs them."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, (np.ndarray, np.generic, int, float)):
        return float(value) if np.size(value) == 1 else np.asarray(value)
    return value


def _sorted_logs(logs: dict) -> dict:
    """Logs by name, as Keras hands them to ``History``, ``on_test_end`` and ``return_dict=True``
    (``pythonify_logs``); the list form keeps the metrics' own order (loss first)."""
    return dict(sorted(logs.items()))


def _format_logs(logs: dict, return_dict: bool, order: list[str]):
    """``return_dict=True``: the logs by name; otherwise their values in ``order`` (the loss first),
    then any other entries by name."""
    if return_dict:
        return _sorted_logs(logs)
    names = [n for n in order if n in logs]
    values = [logs[n] for n in names] + [v for k, v in _sorted_logs(logs).items() if k not in names]
    return values[0] if len(values) == 1 else values


def _concatenate(outputs: list) -> Any:
    """Per-batch predictions joined along the batch axis, as NumPy arrays (same structure)."""
    if type(outputs[0]) is torch.Tensor:  # one output: no structure to walk
        return torch.cat(outputs).cpu().numpy()
    flat = [tree.flatten(o) for o in outputs]
    merged = [torch.cat([f[i] for f in flat]).cpu().numpy() for i in range(len(flat[0]))]
    return tree.pack_sequence_as(outputs[0], merged)


def _should_validate(epoch: int, freq) -> bool:
    if isinstance(freq, numbers.Integral):
        return (epoch + 1) % freq == 0
    return (epoch + 1) in freq


def _output_names(model, y_pred) -> list[str]:
    names = getattr(model, "output_names", None)
    n = len(tree.flatten(y_pred))
    if names and len(names) == n:
        return list(names)
    if isinstance(y_pred, dict):
        return sorted(y_pred)
    return ["output"] if n == 1 else [f"output_{i + 1}" for i in range(n)]


def _is_model_input_list(model, x) -> bool:
    inputs = getattr(model, "inputs", None)
    return inputs is not None and len(inputs) > 0 and len(inputs) == len(x)
