"""Config dialects as files carry them: Keras 3 (``.keras``) and Keras 2 / tf-keras (legacy ``.h5``).

* Writing a legacy ``.h5``: the model config in the Keras 2 dialect (``models``' configs
  write it inside ``keras2_dialect()``), Keras 2's ``hard_sigmoid`` written under its Keras 2
  name with an ``activation_semantics`` attribute, and the ``training_config`` tf-keras reads.
* Reading: which ``hard_sigmoid`` a file means (its ``activation_semantics`` attribute, else
  its Keras version), and the ``training_config`` of a tf-keras file as a Keras 3 compile config.

Layer-level dialect clean-up (Keras 2 keys, ``batch_input_shape``...) happens whenever a
layer config is read, in ``kerastorch.layers.layer_config``; node lists of both dialects
are read by ``kerastorch.models.functional_config``.
"""
from __future__ import annotations

import json

import numpy as np

from kerastorch.layers.serialization import serialize_keras_object
from kerastorch.models.functional_config import model_config
from kerastorch.saving import file_utils


def json_default(o):
    """``json.dumps`` fallback for numpy values in configs."""
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


# --------------------------------------------------------------------- writing
def keras2_model_config(model) -> tuple[str, str]:
    """(JSON text of the Keras 2 dialect config, activation semantics) for a legacy ``.h5`` file."""
    config = model_config(model, legacy=True)
    text = json.dumps(config, default=json_default)
    # Keras 2's hard_sigmoid only: write it under the name Keras 2 readers know.
    if "hard_sigmoid_keras2" in text and '"hard_sigmoid"' not in text:
        return text.replace('"hard_sigmoid_keras2"', '"hard_sigmoid"'), "keras2"
    return text, "keras3"


def compile_config(model) -> dict | None:
    """The serialized ``compile()`` arguments of a compiled model (None when not compiled)."""
    if not getattr(model, "compiled", False):
        return None
    return {key: serialize_keras_object(value) for key, value in dict(model.get_compile_config()).items()}


def keras2_training_config(model) -> dict | None:
    """The tf-keras ``training_config`` attribute for a compiled model."""
    cfg = compile_config(model)
    if not cfg:
        return None
    out = {k: v for k, v in cfg.items() if k != "optimizer"}
    opt = cfg.get("optimizer")
    if isinstance(opt, dict):
        inner = {k: v for k, v in (opt.get("config") or {}).items()
                 if k not in ("loss_scale_factor", "gradient_accumulation_steps")}
        out["optimizer_config"] = {"class_name": opt.get("class_name"), "config": inner}
    return out


# --------------------------------------------------------------------- reading
def keras2_semantics(f) -> bool:
    """Whether a legacy file's ``hard_sigmoid`` is Keras 2's (``clip(0.2x + 0.5, 0, 1)``)."""
    semantics = file_utils.read_string_attr(f, "activation_semantics")
    if semantics is not None:
        return semantics == "keras2"
    version = file_utils.read_string_attr(f, "keras_version") or "1"
    return version.split(".")[0] in ("1", "2")


def json_keras2_semantics(config: dict) -> bool | None:
    """The same for a ``to_json`` string's config: by its ``keras_version`` (None when absent)."""
    version = config.get("keras_version")
    return version.split(".")[0] in ("1", "2") if isinstance(version, str) else None


def training_config_to_compile_config(training_config: dict) -> dict:
    """A tf-keras ``training_config`` as a Keras 3 ``compile_config``."""
    cfg = dict(training_config)
    out = {}
    if cfg.get("optimizer_config") is not None:
        out["optimizer"] = cfg["optimizer_config"]
    for key in ("loss", "loss_weights", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile"):
        if cfg.get(key) is not None:
            out[key] = cfg[key]
    metrics = cfg.get("metrics")
    if metrics is not None:
        # tf-keras nests metrics per output ([[...]]) for single-output models.
        if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
            metrics = metrics[0]
        out["metrics"] = metrics
    return out
