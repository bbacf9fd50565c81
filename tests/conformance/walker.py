"""Walk real Keras 3's public modules and compare each name with kerastorch's.

Real Keras (``keras==3.15.1`` on its torch backend, a test-only dependency) is the
oracle: nothing here states what a name *should* look like; it is read from Keras.
For every public name of every walked module, :func:`compare_module` records what a
program can observe without running numbers:

* existence: ``getattr(kerastorch.<module>, name)`` works;
* signature: every Keras parameter is accepted under the same name, at the same
  position if Keras takes it positionally, with the same default (a kerastorch-only
  keyword parameter is allowed, and so is a default where Keras has none: no Keras
  program can tell);
* config: for classes with ``get_config`` that Keras can build with no arguments, the
  default-constructed ``get_config()`` of both has the same keys and values.

Names listed in ``kerastorch._unsupported`` (the one exclusions table, which the
package's module ``__getattr__`` also reads) count as excluded, with their reason.
Value-level checks (numbers, moments, structures) live in the ``test_*`` files.
"""
from __future__ import annotations

import importlib
import inspect
import math
import os
import types
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "torch")

# Keras modules walked, in report order. The data-side ones (applications, datasets,
# preprocessing) are reported even though other issues fill them.
MODULES: tuple[str, ...] = (
    "keras", "keras.activations", "keras.backend", "keras.callbacks", "keras.config", "keras.constraints",
    "keras.initializers", "keras.layers", "keras.losses", "keras.metrics", "keras.mixed_precision",
    "keras.models", "keras.ops", "keras.ops.numpy", "keras.ops.nn", "keras.ops.linalg", "keras.ops.image",
    "keras.optimizers", "keras.optimizers.schedules", "keras.random", "keras.regularizers", "keras.saving",
    "keras.tree", "keras.utils", "keras.applications", "keras.datasets", "keras.preprocessing",
)

# The modules whose fill issue 11.2 gives to the conformance helper: these must reach the
# threshold below (matching / (names - excluded)).
OWNED_MODULES: tuple[str, ...] = (
    "keras.random", "keras.tree", "keras.config", "keras.utils", "keras.backend", "keras.initializers",
    "keras.activations", "keras.regularizers", "keras.constraints", "keras", "keras.models", "keras.saving",
)
THRESHOLD = 0.95

# Data-side loaders and image I/O of keras.utils: their own issue fills them. They stay in the
# report (and in its percentages) but the owned-module threshold leaves them out.
DATA_SIDE: frozenset[str] = frozenset(
    f"keras.utils.{name}" for name in (
        "audio_dataset_from_directory", "image_dataset_from_directory", "text_dataset_from_directory",
        "timeseries_dataset_from_array", "array_to_img", "img_to_array", "load_img", "save_img",
        "bounding_boxes", "FeatureSpace"))

# Keras 2's `keras.backend` (the K.* functions old custom layers call), as exported by Keras 2.15's
# keras/backend.py. No oracle is installed for it, so the suite checks presence (or a reasoned
# exclusion) only; the value tests are in tests/backend/.
KERAS2_BACKEND_NAMES: tuple[str, ...] = tuple("""
abs all any arange argmax argmin backend batch_dot batch_flatten batch_get_value batch_normalization
batch_set_value bias_add binary_crossentropy binary_focal_crossentropy cast cast_to_floatx
categorical_crossentropy categorical_focal_crossentropy clear_session clip concatenate constant conv1d conv2d
conv2d_transpose conv3d cos count_params ctc_batch_cost ctc_decode ctc_label_dense_to_sparse cumprod cumsum
depthwise_conv2d dot dropout dtype eager elu epsilon equal eval exp expand_dims eye flatten floatx foldl foldr
function gather get_session get_uid get_value gradients greater greater_equal hard_sigmoid image_data_format
in_test_phase in_top_k in_train_phase int_shape is_keras_tensor is_placeholder is_sparse l2_normalize
learning_phase learning_phase_scope less less_equal local_conv1d local_conv2d log logsumexp
manual_variable_initialization map_fn max maximum mean min minimum moving_average_update name_scope ndim
normalize_batch_in_training not_equal one_hot ones ones_like permute_dimensions placeholder pool2d pool3d pow
print_tensor prod random_bernoulli random_binomial random_normal random_normal_variable random_uniform
random_uniform_variable relu repeat repeat_elements reset_uids reshape resize_images resize_volumes reverse rnn
round separable_conv2d set_epsilon set_floatx set_image_data_format set_learning_phase set_session set_value
shape sigmoid sign sin softmax softplus softsign sparse_categorical_crossentropy spatial_2d_padding
spatial_3d_padding sqrt square squeeze stack std stop_gradient sum switch symbolic tanh temporal_padding tile
to_dense transpose truncated_normal update update_add update_sub var variable zeros zeros_like
""".split())

# Keras's own implementation package; not an API.
_SKIP_NAMES = {"keras": {"src"}}


@dataclass
class NameResult:
    module: str          # "keras.utils"
    name: str            # "to_categorical"
    kind: str            # module / class / function / constant
    present: bool
    matching: bool       # present and every comparison passed
    excluded: str | None = None  # reason, when kerastorch deliberately does not provide it
    problems: list[str] = field(default_factory=list)

    @property
    def qualname(self) -> str:
        return f"{self.module}.{self.name}"


def import_keras():
    """Real Keras on its torch backend (raises ImportError when the test extra is missing)."""
    os.environ["KERAS_BACKEND"] = "torch"
    return importlib.import_module("keras")


def kerastorch_module_name(keras_module: str) -> str:
    return "kerastorch" + keras_module[len("keras"):]


def keras_public_names(keras_module: str) -> list[str]:
    module = importlib.import_module(keras_module)
    skip = _SKIP_NAMES.get(keras_module, set())
    return sorted(n for n in dir(module) if not n.startswith("_") and n not in skip)


def _kind(obj: Any) -> str:
    if isinstance(obj, types.ModuleType):
        return "module"
    if inspect.isclass(obj):
        return "class"
    if callable(obj):
        return "function"
    return "constant"


# ---------------------------------------------------------------- value equality

def same_value(a: Any, b: Any, rel: float = 1e-6) -> bool:
    """Equality as a program sees it after a JSON round trip: tuples equal lists, numpy
    scalars equal Python numbers, bools are not ints, floats to ``rel``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if a is None or b is None:
        return a is None and b is None
    if hasattr(a, "item") and getattr(a, "shape", None) == ():
        a = a.item()
    if hasattr(b, "item") and getattr(b, "shape", None) == ():
        b = b.item()
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if isinstance(a, float) or isinstance(b, float):
            if math.isnan(a) or math.isnan(b):
                return math.isnan(a) and math.isnan(b)
            return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)
        return a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y, rel) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k], rel) for k in a)
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if inspect.isclass(a) or inspect.isfunction(a) or inspect.isclass(b) or inspect.isfunction(b):
        return getattr(a, "__name__", None) == getattr(b, "__name__", None)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an uncomparable pair is simply unequal
        return type(a).__name__ == type(b).__name__


# ---------------------------------------------------------------- signatures

_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _is_generic(sig: inspect.Signature) -> bool:
    kinds = [p.kind for p in sig.parameters.values()]
    return kinds == [inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD]


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    if inspect.isclass(obj) and _is_generic(sig) and "__init__" in {k for c in obj.__mro__ for k in vars(c)}:
        # A pass-through `__new__(cls, *args, **kwargs)` (Keras's Layer, Model, Optimizer) hides the
        # constructor's real parameters; read `__init__` instead.
        try:
            init = inspect.signature(obj.__init__)
        except (TypeError, ValueError):
            return sig
        params = list(init.parameters.values())[1:]  # drop self
        return init.replace(parameters=params)
    return sig


def compare_signatures(keras_obj: Any, kt_obj: Any) -> list[str]:
    """Problems a Keras call would meet on kerastorch's callable (empty when none)."""
    ksig = _signature(keras_obj)
    if ksig is None:
        return []
    tsig = _signature(kt_obj)
    if tsig is None:
        return ["signature cannot be read (not a Python callable)"]
    problems = []
    kparams = list(ksig.parameters.values())
    tparams = list(tsig.parameters.values())
    tby_name = {p.name: p for p in tparams}
    t_var_pos = any(p.kind is p.VAR_POSITIONAL for p in tparams)
    t_var_kw = any(p.kind is p.VAR_KEYWORD for p in tparams)
    t_positional = [p for p in tparams if p.kind in _POSITIONAL]
    k_positional = [p for p in kparams if p.kind in _POSITIONAL]
    for index, kp in enumerate(kparams):
        if kp.kind is kp.VAR_POSITIONAL:
            if not t_var_pos:
                problems.append(f"*{kp.name} not accepted")
            continue
        if kp.kind is kp.VAR_KEYWORD:
            if not t_var_kw:
                problems.append(f"**{kp.name} not accepted")
            continue
        tp = tby_name.get(kp.name)
        if tp is None:
            problems.append(f"parameter {kp.name!r} missing")
            continue
        if kp.kind in _POSITIONAL:
            position = k_positional.index(kp)
            if position >= len(t_positional) or t_positional[position].name != kp.name:
                problems.append(f"parameter {kp.name!r} not at position {position}")
        elif tp.kind not in (tp.KEYWORD_ONLY, tp.POSITIONAL_OR_KEYWORD):
            problems.append(f"parameter {kp.name!r} cannot be passed by keyword")
        if kp.default is not kp.empty:
            if tp.default is tp.empty:
                problems.append(f"parameter {kp.name!r} has no default (Keras: {kp.default!r})")
            elif not same_value(kp.default, tp.default):
                problems.append(f"parameter {kp.name!r} default {tp.default!r} != Keras {kp.default!r}")
        del index
    return problems


# ---------------------------------------------------------------- configs

def _default_config(cls: Any) -> tuple[dict | None, str | None]:
    try:
        instance = cls()
    except Exception as error:  # noqa: BLE001 - the class needs arguments (or dependencies)
        return None, f"{type(error).__name__}: {error}"
    try:
        return instance.get_config(), None
    except Exception as error:  # noqa: BLE001
        return None, f"get_config raised {type(error).__name__}: {error}"


def compare_configs(keras_cls: Any, kt_cls: Any) -> list[str]:
    """Default-constructed ``get_config()``: same keys, same values (when Keras can build one)."""
    if not (inspect.isclass(keras_cls) and hasattr(keras_cls, "get_config")):
        return []
    keras = import_keras()
    # Fresh auto-naming on both sides ("dense", not "dense_3"); no gc pass, which is slow.
    keras.backend.clear_session(free_memory=False)
    kconf, _ = _default_config(keras_cls)
    if not isinstance(kconf, dict):
        return []
    import kerastorch
    kerastorch.backend.clear_session(free_memory=False)
    if not hasattr(kt_cls, "get_config"):
        return ["no get_config()"]
    tconf, error = _default_config(kt_cls)
    if tconf is None:
        return [f"default construction failed ({error})"]
    problems = []
    missing = sorted(set(kconf) - set(tconf))
    extra = sorted(set(tconf) - set(kconf))
    if missing:
        problems.append(f"get_config() lacks keys {missing}")
    if extra:
        problems.append(f"get_config() has extra keys {extra}")
    for key in sorted(set(kconf) & set(tconf)):
        if not same_value(kconf[key], tconf[key]):
            problems.append(f"get_config()[{key!r}] = {tconf[key]!r} != Keras {kconf[key]!r}")
    return problems


# ---------------------------------------------------------------- walking

def exclusions() -> dict[str, str]:
    """``{"keras.utils.FeatureSpace": reason}`` from the one table kerastorch keeps."""
    from kerastorch._unsupported import UNSUPPORTED
    return {name: entry.reason for name, entry in UNSUPPORTED.items()}


def compare_name(keras_module: str, name: str, excluded: dict[str, str] | None = None) -> NameResult:
    excluded = exclusions() if excluded is None else excluded
    keras_obj = getattr(importlib.import_module(keras_module), name)
    result = NameResult(keras_module, name, _kind(keras_obj), present=False, matching=False,
                        excluded=excluded.get(f"{keras_module}.{name}"))
    try:
        kt_module = importlib.import_module(kerastorch_module_name(keras_module))
    except ImportError as error:
        result.problems.append(f"module missing ({error})")
        return result
    try:
        kt_obj = getattr(kt_module, name)
    except (AttributeError, NotImplementedError) as error:
        result.problems.append(f"missing ({type(error).__name__})")
        return result
    result.present = True
    if result.kind == "constant" and isinstance(keras_obj, (bool, int, float, str, tuple)):
        if not same_value(keras_obj, kt_obj):
            result.problems.append(f"value {kt_obj!r} != Keras {keras_obj!r}")
    elif result.kind in ("class", "function"):
        result.problems.extend(compare_signatures(keras_obj, kt_obj))
        if result.kind == "class" and not result.problems:
            result.problems.extend(compare_configs(keras_obj, kt_obj))
    result.matching = not result.problems
    return result


def compare_module(keras_module: str) -> list[NameResult]:
    import_keras()
    excluded = exclusions()
    return [compare_name(keras_module, name, excluded) for name in keras_public_names(keras_module)]


@dataclass
class ModuleSummary:
    module: str
    names: int
    present: int
    matching: int
    excluded: int
    data_side: int = 0          # not excluded, not matching, and left to the data-side issue

    @property
    def fraction(self) -> float:
        """Present-and-matching share of the names kerastorch means to provide."""
        wanted = self.names - self.excluded
        return 1.0 if wanted == 0 else self.matching / wanted

    @property
    def fraction_without_data_side(self) -> float:
        wanted = self.names - self.excluded - self.data_side
        return 1.0 if wanted == 0 else self.matching / wanted


def keras2_backend_summary() -> ModuleSummary:
    """Presence of Keras 2's K.* names in ``kerastorch.backend`` ("matching" = present; no oracle)."""
    import kerastorch.backend as K
    excluded = exclusions()
    names = KERAS2_BACKEND_NAMES
    skipped = sum(1 for n in names if f"keras.backend.{n}" in excluded)
    present = sum(1 for n in names if hasattr(K, n))
    return ModuleSummary("keras.backend (Keras 2 K.* set, presence)", len(names), present, present, skipped)


def summarize(keras_module: str, results: list[NameResult]) -> ModuleSummary:
    wanted = [r for r in results if r.excluded is None]
    data_side = sum(1 for r in wanted if not r.matching and r.qualname in DATA_SIDE)
    return ModuleSummary(keras_module, len(results), sum(r.present for r in results),
                         sum(r.matching for r in wanted), len(results) - len(wanted), data_side)
