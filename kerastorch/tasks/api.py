"""``keras.tasks.build`` and ``keras.tasks.fit``: the data picks the model, the model is an ordinary Keras model.

``build(x, y)`` reads the targets (task, classes, imbalance, order) and the inputs (tabular,
text, image), prints one short table of what it chose and the argument that overrides each
row, and returns a compiled functional ``keras.Model`` whose preprocessing is inside it (so
``predict``, ``save`` and ``load_model`` need nothing from this package). The choices are kept
as ``model.task_plan`` (a ``TaskPlan``) for ``fit``.

``fit(model, x, y)`` is the training recipe: the split of the plan (stratified for classes,
the newest samples for time-ordered targets, random otherwise; splitting.py's functions),
class weights for imbalanced classes, ``lr_find`` then one-cycle (``model.fit_one_cycle``),
early stopping on the validation metric with the best weights restored, and fastai's two
stages (frozen head, then everything at discriminative learning rates: ``model.fine_tune``)
when the backbone is pretrained. ``lr_find=False``, ``one_cycle=False``,
``early_stopping=False`` and ``fine_tune=False`` turn each off; ``fit`` on a loaded model (no
plan) infers the targets again.

Why a function and not a ``Model`` subclass: a subclass would have to be registered to load,
and Keras could not read its files; a plain functional model keeps ``.keras`` files portable.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

import kerastorch.tasks.blocks as blocks
import kerastorch.tasks.inference as inference
from kerastorch import callbacks as callbacks_module
from kerastorch import layers, metrics, models, optimizers, utils
from kerastorch.trainer.data.splitting import _lag1_autocorrelation, choose_validation_indices

SPLITS = ("auto", "stratified", "last", "random")
IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# Default epochs: about this many optimizer steps, within [MIN_EPOCHS, MAX_EPOCHS].
TARGET_STEPS = 1000
MIN_EPOCHS, MAX_EPOCHS = 5, 50
# Tabular data with fewer training samples than this gets more dropout in its MLP.
SMALL_DATA = 1000


@dataclass
class TaskPlan:
    """Every choice ``build`` made; ``fit`` reads it. ``rows`` is the printed summary: (choice, value, override)."""

    target: inference.TargetInfo
    input_type: str
    loss: Any
    metrics: list
    monitor: str
    monitor_mode: str
    class_weight: dict | None
    split: str
    validation_split: float
    epochs: int
    batch_size: int
    patience: int
    pretrained: bool
    seed: int
    column_names: list | None = None
    categorical: list = field(default_factory=list)
    image_size: tuple | None = None
    rows: list = field(default_factory=list)

    def summary(self) -> str:
        """The table ``build`` prints: one line per inferred choice and the argument that overrides it."""
        width = max(len(r[0]) for r in self.rows)
        vwidth = min(max(len(r[1]) for r in self.rows), 70)
        lines = ["keras.tasks: inferred choices (override any with the argument on the right)"]
        lines += [f"  {name:<{width}}  {value:<{vwidth}}  [{arg}]" for name, value, arg in self.rows]
        return "\n".join(lines)

    def prepare(self, x: Any) -> Any:
        """``x`` as the model takes it: a dict of (n, 1) columns, (n, 1) strings, or image arrays."""
        return prepare_inputs(self, x)[0]

    def encode(self, y: Any) -> np.ndarray:
        """Targets as the loss takes them (class ids / 0-1 floats / float32)."""
        return inference.encode_targets(self.target, y)

    def decode(self, predictions: Any) -> np.ndarray:
        """Predicted class labels (binary / multiclass) from ``model.predict``'s output; values otherwise."""
        p = np.asarray(predictions)
        names = self.target.class_names
        if self.target.task == "binary":
            return np.array(names, dtype=object)[(p.reshape(-1) > 0.5).astype(int)]
        if self.target.task == "multiclass":
            return np.array(names, dtype=object)[p.argmax(axis=-1)]
        return p


# ------------------------------------------------------------------ inputs
def load_image_folder(directory: str, image_size: tuple | None = None,
                      color_mode: str = "rgb") -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 (n, h, w, c), labels: the sub-folder names) from ``directory/<class>/<image>``.

    ``image_size`` (height, width) defaults to the size of the first image; the others are resized.
    """
    classes = sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d)))
    if not classes:
        raise ValueError(f"No class sub-folders in {directory!r}: expected {directory}/<class name>/<image files>.")
    images, labels = [], []
    for name in classes:
        for file in sorted(os.listdir(os.path.join(directory, name))):
            if file.lower().endswith(IMAGE_FORMATS):
                img = utils.load_img(os.path.join(directory, name, file), color_mode=color_mode,
                                     target_size=image_size)
                if image_size is None:
                    image_size = (img.size[1], img.size[0])
                images.append(utils.img_to_array(img, dtype="uint8"))
                labels.append(name)
    if not images:
        raise ValueError(f"No images ({', '.join(IMAGE_FORMATS)}) under {directory!r}.")
    return np.stack(images), np.array(labels)


def _image_array(x: Any) -> np.ndarray:
    arr = inference.as_numpy(x)
    if arr.ndim == 3:
        arr = arr[..., None]  # grayscale: one channel, as Keras's channels_last images
    if arr.ndim != 4:
        raise ValueError(f"Images must have shape (n, height, width, channels); received {arr.shape}.")
    return arr


def prepare_inputs(plan: TaskPlan | None, x: Any, y: Any = None) -> tuple[Any, Any]:
    """(model inputs, targets) from what the user passed (a folder of images yields its labels as y)."""
    kind = plan.input_type if plan is not None else inference.infer_input_type(x)
    if kind == "image":
        if isinstance(x, (str, os.PathLike)):
            size = plan.image_size[:2] if plan is not None and plan.image_size else None
            x, folder_y = load_image_folder(os.fspath(x), size)
            y = folder_y if y is None else y
        return _image_array(x).astype(np.float32), y
    if kind == "text":
        arr = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x).reshape(-1, 1).astype(str)
        return arr, y
    if isinstance(x, dict) or inference.is_dataframe(x):
        cols = inference.columns_of(x)
        out = {}
        for name, col in cols.items():
            if plan is not None and plan.column_names is not None and name not in plan.column_names:
                continue
            categorical = inference.is_categorical_column(col) or (plan is not None and name in plan.categorical)
            out[name] = col if categorical else col.astype(np.float32)
            if categorical and col.dtype.kind in "biuf":
                out[name] = col.astype(np.int64)
        if plan is not None and plan.column_names is not None:
            missing = [c for c in plan.column_names if c not in out]
            if missing:
                raise ValueError(f"Columns {missing} the model was built with are missing from x.")
        return out, y
    arr = inference.as_numpy(x)
    return (arr[:, None] if arr.ndim == 1 else arr).astype(np.float32), y


# ------------------------------------------------------------------ build
def _choose_split(info: inference.TargetInfo, y_ids: np.ndarray, split: str) -> tuple[str, str]:
    if split not in SPLITS:
        raise ValueError(f"`split` must be one of {SPLITS}; received split={split!r}.")
    if split != "auto":
        return split, f"{split} (given)"
    if info.task in ("binary", "multiclass"):
        return "stratified", "stratified by class (seeded)"
    r1 = _lag1_autocorrelation(y_ids)
    if r1 is not None and abs(r1) > 0.5:
        return "last", f"the last fraction, newest samples (targets look time-ordered: lag-1 autocorrelation {r1:.2f})"
    return "random", "random (seeded; targets not time-ordered)"


def _default_metrics(info: inference.TargetInfo) -> tuple[list, str, str, str]:
    """(metrics, names for the summary, monitor, mode)."""
    # Early stopping watches the validation loss: on small validation sets the accuracy plateaus (ties)
    # during one-cycle's warm-up and stopped training before the annealing phase (breast_cancer lost
    # 5 points against the Keras recipe with monitor="val_accuracy"; experiments/tasks_vs_keras_recipe.py).
    if info.task == "binary":
        return ["accuracy", metrics.AUC(name="auc")], "accuracy, auc", "val_loss", "min"
    if info.task == "multiclass":
        return ["accuracy"], "accuracy", "val_loss", "min"
    if info.task == "multilabel":
        return ([metrics.BinaryAccuracy(name="binary_accuracy"), metrics.AUC(multi_label=True, name="auc")],
                "binary_accuracy, auc", "val_loss", "min")
    return ["mae", metrics.RootMeanSquaredError(name="rmse")], "mae, rmse", "val_loss", "min"


def _default_loss(info: inference.TargetInfo) -> str:
    if info.task in ("binary", "multilabel"):
        return "binary_crossentropy"
    if info.task == "multiclass":
        return "categorical_crossentropy" if info.one_hot else "sparse_categorical_crossentropy"
    return "mean_squared_error"


def build(x: Any, y: Any = None, *, task: str | None = None, input_type: str | None = None,
          backbone: Any = "auto", hidden_units: Sequence[int] | None = None, dropout: float | None = None,
          categorical: Sequence[str] = (), embedding_dim: int = 64, max_tokens: int | None = None,
          sequence_length: int | None = None, image_size: tuple | None = None, augmentation: Any = "auto",
          weights: Any = None, pretrained: bool | None = None, loss: Any = None, metrics: Any = None,
          monitor: str | None = None, optimizer: Any = None, class_weight: Any = "auto",
          validation_split: float = 0.2, split: str = "auto", epochs: int | None = None,
          batch_size: int | None = None, patience: int | None = None, seed: int = 1337,
          name: str | None = None, verbose: int = 1) -> models.Model:
    """A compiled ``keras.Model`` for data ``(x, y)``, every choice inferred and printed once.

    Args:
        x: a 2-D numeric array (tabular), a dict of columns or a pandas DataFrame (tabular with
            string columns one-hot encoded), strings (text: a list or an (n,) / (n, 1) array),
            images (n, h, w, c), or a directory with one sub-folder of images per class.
        y: targets, (n,) or (n, k): class ids, labels (strings), one-hot rows, 0/1 columns
            (multi-label) or numbers (regression). None for a directory of images.
        task: "binary", "multiclass", "multilabel" or "regression" instead of inferring it.
        input_type: "tabular", "text" or "image" instead of inferring it.
        backbone: "auto"; "mlp" (tabular); "transformer", "gru", "lstm", "bag" (text);
            "convnet", "mobilenet_v2", "efficientnet_b0" (images); or a ``keras.Model`` applied
            to the preprocessed inputs (taken as pretrained unless ``pretrained=False``).
        hidden_units, dropout: the MLP's layer sizes (default (128, 64)) and dropout rate (default
            0.1, or 0.3 under 1000 training samples; also used before the head of text and image
            models, default 0.1 there).
        categorical: names of integer columns to one-hot encode (string columns always are).
        embedding_dim, max_tokens, sequence_length: text vectorization and embedding sizes.
        image_size: (height, width) for a directory of images (default: the first image's size).
        augmentation: "auto" (RandomFlip horizontal + RandomTranslation 0.1), None, or a list of layers.
        weights: weights for an applications backbone ("imagenet" or a file path); None trains from scratch.
        pretrained: whether ``fit`` fine-tunes in two stages; default: True with ``weights`` or a
            user backbone model.
        loss, metrics, monitor, optimizer: compile arguments and the early-stopping monitor.
        class_weight: "auto" (balanced weights when the classes are imbalanced), "balanced", None or a dict.
        validation_split, split: fraction held out by ``fit`` and how ("auto", "stratified", "last", "random").
        epochs, batch_size, patience: ``fit``'s defaults (epochs: about 1000 steps within [5, 50];
            batch size 32; patience: max(5, epochs // 3)).
        seed: seeds the split and the weight initialization.
        verbose: 0 prints nothing.

    Returns:
        A compiled functional ``keras.Model`` with ``model.task_plan`` (a ``TaskPlan``).
    """
    if isinstance(x, (str, os.PathLike)) and input_type in (None, "image") and not os.path.isdir(x):
        raise ValueError(f"x={x!r} is a string but not a directory. Pass a directory of images with one sub-folder "
                         "per class, or a list of strings for text.")
    kind = inference.infer_input_type(x, input_type)
    folder = isinstance(x, (str, os.PathLike))
    if folder:
        x, folder_labels = load_image_folder(os.fspath(x), image_size)
        y = folder_labels if y is None else y
    info = inference.infer_target(y, task)
    y_encoded = inference.encode_targets(info, y)
    n = y_encoded.shape[0]
    rows = [("task", f"{info.task}: {info.reason}" + (f"; classes {_short(info.class_names)}"
                                                     if info.class_names and info.task != "multilabel" else ""),
             "task="),
            ("input", kind, "input_type=")]
    utils.set_random_seed(seed)
    n_train = int(n * (1 - validation_split))
    # Few samples, more regularization: under SMALL_DATA training samples the MLP's dropout is 0.3
    # (with 0.1, diabetes's RMSE was 62.0 +- 1.5 against the Keras recipe's 60.5; with 0.3, 60.8;
    # experiments/tasks_vs_keras_recipe.py, docs/tasks.md). Text and image models keep 0.1.
    small = kind == "tabular" and n_train < SMALL_DATA
    dropout = (0.3 if small else 0.1) if dropout is None else float(dropout)
    user_backbone = callable(backbone) and not isinstance(backbone, str)
    plan_extra: dict = {}
    if kind == "tabular":
        if isinstance(x, dict) or inference.is_dataframe(x):
            columns = inference.columns_of(x)
            inputs, features, desc = blocks.tabular_columns(columns, categorical)
            plan_extra["column_names"] = list(columns)
            plan_extra["categorical"] = list(categorical)
        else:
            arr = inference.as_numpy(x)
            inputs, features, desc = blocks.tabular_array(arr)
        rows.append(("preprocessing", desc, "categorical="))
        if user_backbone:
            feats, bdesc = backbone(features), f"your model {getattr(backbone, 'name', type(backbone).__name__)}"
        else:
            if backbone not in ("auto", "mlp"):
                raise ValueError(f"Tabular data takes backbone='mlp' (or a keras.Model); received {backbone!r}.")
            hidden_units = tuple(hidden_units) if hidden_units is not None else (128, 64)
            feats = blocks.mlp(features, hidden_units, dropout)
            bdesc = f"MLP {hidden_units} ReLU, dropout {dropout}"
            if small:
                bdesc += f" (small data: {n_train} training samples < {SMALL_DATA})"
        rows.append(("backbone", bdesc, "backbone= / hidden_units= / dropout="))
    elif kind == "text":
        texts = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x).reshape(-1).astype(str)
        inputs, tokens, desc, vocab = blocks.text_input(texts, max_tokens, sequence_length)
        rows.append(("preprocessing", desc, "max_tokens= / sequence_length="))
        if user_backbone:
            feats, bdesc = backbone(tokens), f"your model {getattr(backbone, 'name', type(backbone).__name__)}"
        else:
            encoder = "transformer" if backbone == "auto" else backbone
            feats, bdesc = blocks.text_encoder(tokens, vocab, encoder, int(embedding_dim), dropout)
        rows.append(("backbone", bdesc, "backbone= / embedding_dim= / dropout="))
    else:
        images = _image_array(x)
        shape = tuple(int(s) for s in images.shape[1:])
        plan_extra["image_size"] = shape
        pixel_max = float(images.max()) if images.size else 1.0
        if user_backbone:
            kind_name = "user"
        elif backbone == "auto":
            # From scratch, a small ConvNet beats an ImageNet architecture on small images; with weights
            # (or large images) the applications model is the better start.
            kind_name = "mobilenet_v2" if weights is not None or min(shape[:2]) >= 96 else "convnet"
        else:
            kind_name = backbone
        inputs, pre, desc = blocks.image_input(shape, pixel_max, kind_name, weights, augmentation)
        rows.append(("preprocessing", desc, "augmentation="))
        if user_backbone:
            out = backbone(pre)
            feats = layers.GlobalAveragePooling2D(name="pool")(out) if len(out.shape) == 4 else out
            bdesc = f"your model {getattr(backbone, 'name', type(backbone).__name__)}"
        else:
            feats, bdesc = blocks.image_backbone(pre, shape, kind_name, weights, dropout)
        rows.append(("backbone", bdesc, "backbone= / weights="))
    outputs, hdesc = blocks.head(feats, info)
    rows.append(("output", hdesc, "task="))
    model = models.Model(inputs, outputs, name=name or f"{info.task}_{kind}")

    loss = loss if loss is not None else _default_loss(info)
    if metrics is None:
        metric_list, metric_names, default_monitor, mode = _default_metrics(info)
    else:
        metric_list, metric_names = list(metrics), ", ".join(map(_name, metrics))
        default_monitor, mode = "val_loss", "min"
    if monitor is not None:
        mode = "min" if "loss" in monitor or any(k in monitor for k in ("error", "mae", "mse", "rmse")) else "max"
        default_monitor = monitor
    rows.append(("loss", _name(loss), "loss="))
    rows.append(("metrics", metric_names, "metrics="))
    weights_cw, cw_desc = inference.class_weights(info, class_weight)
    rows.append(("class weights", cw_desc, "class_weight="))
    split_kind, split_desc = _choose_split(info, y_encoded, split)
    rows.append(("validation", f"{validation_split:g} of the data, {split_desc}", "validation_split= / split="))
    batch_size = int(batch_size or 32)
    steps = math.ceil(n * (1 - validation_split) / batch_size)
    epochs = int(epochs or min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(TARGET_STEPS / max(steps, 1)))))
    patience = int(patience if patience is not None else max(5, epochs // 3))
    pretrained = bool(weights is not None or user_backbone) if pretrained is None else bool(pretrained)
    recipe = (f"lr_find -> one-cycle, {epochs} epochs x batch {batch_size}, early stop on {default_monitor} "
              f"(patience {patience})")
    if pretrained:
        recipe += "; 2 stages: frozen backbone 1 epoch, then all at discriminative LRs"
    rows.append(("fit", recipe, "fit(lr_find=, one_cycle=, early_stopping=, fine_tune=)"))
    optimizer = optimizer if optimizer is not None else optimizers.Adam(learning_rate=1e-3)
    model.compile(optimizer=optimizer, loss=loss, metrics=metric_list)
    model.task_plan = TaskPlan(target=info, input_type=kind, loss=loss, metrics=metric_list,
                               monitor=default_monitor, monitor_mode=mode, class_weight=weights_cw,
                               split=split_kind, validation_split=float(validation_split), epochs=epochs,
                               batch_size=batch_size, patience=patience, pretrained=pretrained, seed=int(seed),
                               rows=rows, **plan_extra)
    if verbose:
        print(model.task_plan.summary())
    return model


def _short(names: list) -> str:
    shown = ", ".join(map(str, names[:6]))
    return f"[{shown}{', ...' if len(names) > 6 else ''}] ({len(names)})"


def _name(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


# ------------------------------------------------------------------ fit
def fit(model: models.Model, x: Any, y: Any = None, *, epochs: int | None = None, batch_size: int | None = None,
        validation_data: Any = None, validation_split: float | None = None, lr_find: bool = True,
        one_cycle: bool = True, early_stopping: bool = True, fine_tune: bool | None = None,
        class_weight: Any = "plan", callbacks: Sequence | None = None, verbose: Any = "auto",
        lr_find_kwargs: dict | None = None):
    """Train ``model`` with the default recipe; returns the ``History`` (both stages when fine-tuning).

    ``lr_find``: run the learning-rate range test and use its suggestion as the peak (or constant)
    learning rate. ``one_cycle``: the one-cycle schedule (else a constant rate). ``early_stopping``:
    stop when the plan's validation metric stops improving and restore the best weights.
    ``fine_tune``: two stages for a pretrained backbone (default: the plan's ``pretrained``).
    ``class_weight``: "plan" (the weights ``build`` chose), None or a dict. Other arguments
    override the plan's defaults.
    """
    plan = getattr(model, "task_plan", None)
    if plan is None:
        plan = _plan_for_loaded(model, x, y)
    x, y = prepare_inputs(plan, x, y)
    if y is None:
        raise ValueError("keras.tasks.fit needs targets `y` (or a directory of images as `x`).")
    y = plan.encode(y)
    epochs = int(epochs or plan.epochs)
    batch_size = int(batch_size or plan.batch_size)
    cw = plan.class_weight if class_weight == "plan" else class_weight
    if validation_data is None:
        (x, y), validation_data = _split(plan, x, y, plan.validation_split if validation_split is None
                                         else validation_split)
    else:
        vx, vy = validation_data[0], validation_data[1]
        vx, vy = prepare_inputs(plan, vx, vy)
        validation_data = (vx, plan.encode(vy))
    cbs = list(callbacks or [])
    if early_stopping:
        # Not during one-cycle's warm-up (the first quarter): the loss is noisy while the rate climbs.
        warmup = math.ceil(0.25 * epochs) if one_cycle else 0
        cbs.append(callbacks_module.EarlyStopping(monitor=plan.monitor, mode=plan.monitor_mode,
                                                  patience=plan.patience, restore_best_weights=True,
                                                  start_from_epoch=warmup))
    common = dict(batch_size=batch_size, validation_data=validation_data, class_weight=cw, verbose=verbose)
    finder = dict(batch_size=batch_size, class_weight=cw, **(lr_find_kwargs or {}))
    fine_tune = plan.pretrained if fine_tune is None else bool(fine_tune)
    if fine_tune:
        return _fit_two_stages(model, x, y, epochs, lr_find, one_cycle, cbs, common, finder)
    if one_cycle:
        max_lr = None if lr_find else _current_lr(model)
        return model.fit_one_cycle(x, y, epochs=epochs, max_lr=max_lr, callbacks=cbs, lr_find_kwargs=lr_find_kwargs,
                                   **common)
    if lr_find:
        result = model.lr_find(x, y, **finder)
        model.lr_find_result = result
        model.optimizer.learning_rate = result.suggestion
    return model.fit(x, y, epochs=epochs, callbacks=cbs, **common)


def _current_lr(model: models.Model) -> float:
    return float(np.asarray(model.optimizer.learning_rate))


def _fit_two_stages(model, x, y, epochs, lr_find, one_cycle, cbs, common, finder):
    """Head first with the backbone frozen, then everything at discriminative learning rates."""
    model.freeze()
    if lr_find:
        result = model.lr_find(x, y, **finder)
        model.lr_find_result = result
        base_lr = result.suggestion
    else:
        base_lr = _current_lr(model)
    if one_cycle:
        return model.fine_tune(x, y, epochs=max(epochs - 1, 1), base_lr=base_lr, freeze_epochs=1, callbacks=cbs,
                               **common)
    model.optimizer.learning_rate = base_lr
    first = model.fit(x, y, epochs=1, callbacks=cbs, **common)
    model.unfreeze()
    model.set_layer_group_lrs(3, lr_mult=100.0)
    model.optimizer.learning_rate = base_lr / 2
    second = model.fit(x, y, epochs=max(epochs, 2), initial_epoch=1, callbacks=cbs, **common)
    for key, values in second.history.items():
        first.history.setdefault(key, []).extend(values)
    first.epoch.extend(second.epoch)
    model.history = first
    return first


def _split(plan: TaskPlan, x: Any, y: np.ndarray, fraction: float):
    """((x_train, y_train), (x_val, y_val)) with the plan's split policy."""
    if not 0 < fraction < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1; received {fraction}.")
    n = y.shape[0]
    n_train = math.floor(n * (1 - fraction))
    if n_train in (0, n):
        raise ValueError(f"{n} samples cannot be split with validation_split={fraction}; pass validation_data.")
    labels = y.reshape(n, -1).argmax(axis=1) if plan.target.one_hot else y
    val_idx, _how, _notice = choose_validation_indices(labels if plan.target.task in ("binary", "multiclass")
                                                       else y, n, n_train, plan.split, plan.seed)
    mask = np.ones(n, dtype=bool)
    mask[val_idx] = False
    train_idx = np.flatnonzero(mask)

    def take(idx):
        if isinstance(x, dict):
            return {k: v[idx] for k, v in x.items()}, y[idx]
        return x[idx], y[idx]
    return take(train_idx), take(val_idx)


def _plan_for_loaded(model: models.Model, x: Any, y: Any) -> TaskPlan:
    """A plan for a model without one (e.g. loaded from a file): targets inferred again, nothing printed."""
    kind = inference.infer_input_type(x)
    if isinstance(x, (str, os.PathLike)):
        _, y = load_image_folder(os.fspath(x))
    info = inference.infer_target(y)
    _, _, monitor, mode = _default_metrics(info)
    names = [m if isinstance(m, str) else getattr(m, "name", "") for m in getattr(model, "metrics_names", [])]
    if monitor[4:] not in names and not any(monitor[4:] in str(n) for n in names):
        monitor, mode = "val_loss", "min"
    cw, _ = inference.class_weights(info)
    split, _ = _choose_split(info, inference.encode_targets(info, y), "auto")
    n = inference.encode_targets(info, y).shape[0]
    steps = math.ceil(n * 0.8 / 32)
    epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, math.ceil(TARGET_STEPS / max(steps, 1))))
    columns = list(inference.columns_of(x)) if isinstance(x, dict) or inference.is_dataframe(x) else None
    return TaskPlan(target=info, input_type=kind, loss=None, metrics=[], monitor=monitor, monitor_mode=mode,
                    class_weight=cw, split=split, validation_split=0.2, epochs=epochs, batch_size=32,
                    patience=max(5, epochs // 3), pretrained=False, seed=1337, column_names=columns)
