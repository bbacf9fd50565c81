"""Where kerastorch's defaults differ from Keras's, and the switches that restore Keras.

Each default is better than Keras's for most users (see README "Differences from
Keras"); ``use_keras_defaults()`` restores every Keras behaviour at once, and each
setting can also be changed alone.

- ``validation_split``: "auto" (default) keeps Keras's last fraction of the arrays unless
  its class counts show class-sorted or blocked labels, then draws a seeded split
  stratified by class (trainer/data/splitting.py); "last" is always Keras's split,
  "stratified" / "random" always a seeded random split (by class / not).
- ``weight_decay_skips_biases_and_norms``: True (default) excludes biases and
  normalization weights from decoupled weight decay; Keras decays every variable.
- ``training_when_unset``: "module_mode" (default) gives a layer call that nothing passed
  ``training`` to (no argument, no enclosing call that resolved it) the module's train/eval
  mode, which ``fit`` / ``evaluate`` / ``predict`` set; "inference" is Keras's None, under
  which a subclassed model whose ``call`` lacks ``training`` runs Dropout and
  BatchNormalization in inference mode even inside ``fit``.
- ``metrics_names``: "per_metric" (default) names each value of ``evaluate()``'s list, in
  its order; "keras" is Keras 3's list, where one "compile_metrics" entry stands for every
  compiled metric.
"""
from __future__ import annotations

_KERASTORCH = {"validation_split": "auto", "weight_decay_skips_biases_and_norms": True,
               "metrics_names": "per_metric", "training_when_unset": "module_mode"}
_KERAS = {"validation_split": "last", "weight_decay_skips_biases_and_norms": False, "metrics_names": "keras",
          "training_when_unset": "inference"}
_SETTINGS = {**_KERASTORCH, "validation_split_seed": 1337}
_CHOICES = {"validation_split": ("auto", "stratified", "random", "last"),
            "metrics_names": ("per_metric", "keras"), "training_when_unset": ("module_mode", "inference")}


def get(name: str):
    if name not in _SETTINGS:
        raise ValueError(f"Unknown kerastorch default {name!r}. Known: {sorted(_SETTINGS)}.")
    return _SETTINGS[name]


def set(name: str, value) -> None:  # noqa: A001 - mirrors get()
    if name not in _SETTINGS:
        raise ValueError(f"Unknown kerastorch default {name!r}. Known: {sorted(_SETTINGS)}.")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ValueError(f"{name} must be one of {_CHOICES[name]}, received {value!r}.")
    _SETTINGS[name] = value


def use_keras_defaults(enabled: bool = True) -> None:
    """Restore Keras's behaviour for every default kerastorch changes (or go back to kerastorch's)."""
    if enabled:
        _SETTINGS.update(_KERAS)
    else:
        _SETTINGS.update(_KERASTORCH)
