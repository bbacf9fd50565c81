"""API conformance against real Keras 3.15.1 (the oracle): names, signatures, default configs.

Three layers of checks, all read from Keras rather than written by hand:

* per name, for every name recorded in ``baseline.json`` as present-and-matching: it still is
  (a ratchet: a name that starts matching is added with ``report.py --write-baseline``; names
  not matching yet are the "known gaps" that ``report.py`` lists, not failing tests);
* per module, for the modules issue 11.2 gives this suite's owner: at least 95% of the Keras
  names kerastorch means to provide (all but the reasoned exclusions, and the data-side loaders
  of keras.utils that their own issue fills) are present and matching;
* the exclusions table: every entry is a real Keras name, kerastorch does not provide it, and
  touching it raises an error that names the Keras API and the alternative.
"""
from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import walker

BASELINE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baseline.json")

try:
    walker.import_keras()
    HAVE_KERAS = True
except ImportError:
    HAVE_KERAS = False

needs_keras = pytest.mark.skipif(not HAVE_KERAS, reason="real keras (the test extra) is not installed")


def _baseline() -> list[str]:
    with open(BASELINE_PATH) as f:
        return json.load(f)["matching"]


# ---------------------------------------------------------------- the checker itself can fail

def test_signature_check_reports_each_kind_of_difference():
    def keras_fn(x, axis=-1, *, keepdims=False, **kwargs):
        pass

    def same(x, axis=-1, *, keepdims=False, extra=1, **kwargs):
        pass

    def renamed(y, axis=-1, *, keepdims=False, **kwargs):
        pass

    def wrong_default(x, axis=0, *, keepdims=False, **kwargs):
        pass

    def bool_for_int(x, axis=-1, *, keepdims=0, **kwargs):
        pass

    def no_kwargs(x, axis=-1, keepdims=False):
        pass

    def reordered(axis=-1, x=None, *, keepdims=False, **kwargs):
        pass

    assert walker.compare_signatures(keras_fn, same) == []
    assert walker.compare_signatures(keras_fn, renamed) == ["parameter 'x' missing"]
    assert "default 0 != Keras -1" in walker.compare_signatures(keras_fn, wrong_default)[0]
    assert walker.compare_signatures(keras_fn, bool_for_int)  # False is not 0
    assert walker.compare_signatures(keras_fn, no_kwargs) == ["**kwargs not accepted"]
    assert any("not at position 0" in p for p in walker.compare_signatures(keras_fn, reordered))
    assert walker.compare_signatures(keras_fn, max) == ["signature cannot be read (not a Python callable)"]


def test_config_check_compares_keys_and_values():
    class KerasThing:
        def __init__(self, rate=0.5, name="thing"):
            self.rate, self.name = rate, name

        def get_config(self):
            return {"rate": self.rate, "name": self.name, "axes": (1, 2)}

    class Same(KerasThing):
        def get_config(self):
            return {"rate": 0.5, "name": "thing", "axes": [1, 2]}  # a list equals a tuple, as after JSON

    class Different(KerasThing):
        def get_config(self):
            return {"rate": 0.25, "label": "thing", "axes": (1, 2)}

    assert walker.compare_configs(KerasThing, Same) == []
    problems = walker.compare_configs(KerasThing, Different)
    assert any("lacks keys ['name']" in p for p in problems)
    assert any("extra keys ['label']" in p for p in problems)
    assert any("['rate'] = 0.25" in p for p in problems)


def test_same_value_rules():
    assert walker.same_value(1e-7, 1.00000001e-7) and not walker.same_value(1e-7, 1e-8)
    assert not walker.same_value(True, 1) and not walker.same_value(None, 0)
    assert walker.same_value({"a": (1, None)}, {"a": [1, None]})
    assert not walker.same_value("float32", "float64")


# ---------------------------------------------------------------- per name: the ratchet

def _baseline_params() -> list[str]:
    return _baseline() if HAVE_KERAS and os.path.exists(BASELINE_PATH) else []


@needs_keras
@pytest.mark.parametrize("qualname", _baseline_params())
def test_name_still_matches_keras(qualname):
    module, name = qualname.rsplit(".", 1)
    if not hasattr(importlib.import_module(module), name):
        pytest.fail(f"{qualname} is in baseline.json but real Keras 3.15.1 has no such name")
    result = walker.compare_name(module, name)
    assert result.excluded is None, f"{qualname} is both in the baseline and excluded: {result.excluded}"
    assert result.matching, f"{qualname} no longer matches Keras: {'; '.join(result.problems)}"


@needs_keras
def test_baseline_is_sorted_and_unique():
    names = _baseline()
    assert names == sorted(set(names)), "regenerate with: python tests/conformance/report.py --write-baseline"


# ---------------------------------------------------------------- per module: the threshold

@needs_keras
@pytest.mark.parametrize("module", walker.OWNED_MODULES)
def test_owned_module_reaches_threshold(module):
    results = walker.compare_module(module)
    summary = walker.summarize(module, results)
    gaps = [f"{r.name}: {'; '.join(r.problems)}" for r in results
            if not r.matching and r.excluded is None and r.qualname not in walker.DATA_SIDE]
    assert summary.fraction_without_data_side >= walker.THRESHOLD, (
        f"{module}: {summary.matching}/{summary.names - summary.excluded - summary.data_side} present and "
        f"matching; gaps:\n" + "\n".join(gaps))


# ---------------------------------------------------------------- the exclusions table

def _exclusion_params() -> list[str]:
    from kerastorch._unsupported import UNSUPPORTED
    return sorted(UNSUPPORTED)


@needs_keras
@pytest.mark.parametrize("qualname", _exclusion_params())
def test_excluded_name_is_real_and_raises_a_clear_error(qualname):
    from kerastorch._unsupported import UNSUPPORTED, UnsupportedKerasAPI, UnsupportedKerasImport
    module, name = qualname.rsplit(".", 1)
    if UNSUPPORTED[qualname].keras2:
        assert name in walker.KERAS2_BACKEND_NAMES, f"{qualname} is not in the Keras 2 K.* list"
    else:
        assert hasattr(importlib.import_module(module), name), f"{qualname} is not a Keras 3.15.1 public name"
    kt_module = importlib.import_module(walker.kerastorch_module_name(module))
    with pytest.raises(UnsupportedKerasAPI) as info:
        getattr(kt_module, name)
    message = str(info.value)
    assert f"`{qualname}`" in message and UNSUPPORTED[qualname].alternative in message
    assert isinstance(info.value, AttributeError) and isinstance(info.value, NotImplementedError)
    assert not hasattr(kt_module, name)
    # `from keras.layers import JaxLayer` keeps the message (Python would otherwise drop it), and so does
    # `import keras.export` for a listed module.
    kt_name = walker.kerastorch_module_name(module)
    with pytest.raises(UnsupportedKerasImport) as info:
        exec(f"from {kt_name} import {name}", {})
    assert str(info.value) == message and isinstance(info.value, ImportError)
    if not UNSUPPORTED[qualname].keras2 and inspect.ismodule(getattr(importlib.import_module(module), name)):
        with pytest.raises(UnsupportedKerasImport, match=re.escape(message)):
            importlib.import_module(f"{kt_name}.{name}")


def test_unknown_names_keep_the_plain_attribute_error():
    import kerastorch
    from kerastorch._unsupported import UnsupportedKerasAPI, UnsupportedKerasImport
    with pytest.raises(AttributeError) as info:
        kerastorch.no_such_name  # noqa: B018
    assert not isinstance(info.value, UnsupportedKerasAPI)
    assert "no_such_name" in str(info.value)
    with pytest.raises(ImportError) as info:
        exec("from kerastorch.layers import NoSuchLayer", {})
    assert not isinstance(info.value, UnsupportedKerasImport)
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("kerastorch.no_such_module")


# ---------------------------------------------------------------- Keras 2's K.* set

def test_keras2_backend_names_are_present_or_excluded():
    import kerastorch.backend as K
    from kerastorch._unsupported import UNSUPPORTED
    missing = [n for n in walker.KERAS2_BACKEND_NAMES
               if not hasattr(K, n) and f"keras.backend.{n}" not in UNSUPPORTED]
    assert missing == []


# ---------------------------------------------------------------- report

@needs_keras
def test_report_table_lists_every_module():
    import report
    summaries, details = report.build_report(("keras.random", "keras.tree"))
    table = report.table(summaries)
    assert "| `keras.random` | 11 |" in table and "| `keras.tree` | 12 |" in table
    assert isinstance(details["keras.random"][0], walker.NameResult)
    assert isinstance(report.gaps(details), str)


def test_walker_modules_are_keras_modules():
    assert all(m == "keras" or m.startswith("keras.") for m in walker.MODULES)
    assert set(walker.OWNED_MODULES) <= set(walker.MODULES)
    assert all(q.startswith("keras.utils.") for q in walker.DATA_SIDE)
