"""The one identifier resolver (kerastorch._core.identifiers) and the packages that use it."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch._core import tensors
from kerastorch._core.identifiers import Identifiers


class _Thing:
    def __init__(self, size: int = 1):
        self.size = size

    def get_config(self) -> dict:
        return {"size": self.size}

    @classmethod
    def from_config(cls, config: dict) -> "_Thing":
        return cls(**config)

    def __call__(self, x):
        return x * self.size


def _double(x):
    return 2 * x


def _table(**options) -> Identifiers:
    return Identifiers("thing", "keras.things", {"Thing": _Thing, "thing": _Thing, "double": _double},
                       example="thing", **options)


def test_names_dicts_classes_and_callables():
    table = _table()
    assert isinstance(table.get("thing"), _Thing)
    assert table.get("double") is _double
    assert table.get({"class_name": "Thing", "config": {"size": 3}}).size == 3
    assert table.get({"class_name": "function", "config": "double"}) is _double
    assert isinstance(table.get(_Thing), _Thing)
    assert table.get(_double) is _double
    assert table.get(None) is None


def test_unknown_name_lists_valid_names_and_the_hint():
    table = _table(hint=lambda name: "Try 'thing'." if name == "thingy" else "")
    with pytest.raises(ValueError, match=r"'thingy'\. Try 'thing'\. Valid names are: \['Thing', 'double', 'thing'\]"):
        table.get("thingy")
    with pytest.raises(ValueError, match="Valid names are"):
        table.get("nope")


def test_custom_objects_win_and_registered_names_resolve():
    class Mine(_Thing):
        pass
    table = _table()
    assert type(table.deserialize("Thing", custom_objects={"Thing": Mine})) is Mine
    config = {"class_name": "Other", "registered_name": "pkg>Mine", "config": {"size": 2}}
    assert type(table.deserialize(config, custom_objects={"pkg>Mine": Mine})) is Mine


def test_serialize_round_trips_builtins_and_marks_custom_classes():
    table = _table()
    # _Thing is not the class the table registers under "_Thing": written as a custom object.
    assert table.serialize(_Thing(4)) == {"module": __name__, "class_name": "_Thing", "config": {"size": 4},
                                          "registered_name": "_Thing"}
    builtin = Identifiers("thing", "keras.things", {"_Thing": _Thing}, example="_Thing")
    assert builtin.serialize(_Thing(4)) == {"module": "keras.things", "class_name": "_Thing", "config": {"size": 4},
                                            "registered_name": None}
    assert table.serialize(_double) == {"module": "keras.things", "class_name": "function", "config": "_double",
                                        "registered_name": "_double"}
    assert _table(function_form="name").serialize(_double) == "_double"
    with pytest.raises(TypeError):
        table.serialize(object())


def test_options_functions_legacy_normalize_default_and_callables():
    table = _table(functions={"triple": lambda x: 3 * x}, legacy_overrides={"double": abs},
                   normalize=str.lower, default="none!", accept_callables=False, base_class=_Thing)
    assert table.lookup("triple")(2) == 6
    assert table.lookup("DOUBLE") is _double and table.lookup("double", legacy=True) is abs
    assert table.get(None) == "none!"
    assert isinstance(table.get(_Thing()), _Thing)
    with pytest.raises(ValueError, match="Could not interpret thing identifier"):
        table.get(lambda x: x)


@pytest.mark.parametrize("module, name", [
    (keras.losses, "no_such_loss"), (keras.metrics, "no_such_metric"), (keras.activations, "no_such_act"),
    (keras.optimizers, "no_such_opt"), (keras.initializers, "no_such_init"), (keras.regularizers, "no_such_reg"),
    (keras.constraints, "no_such_constraint"),
])
def test_every_package_lists_valid_names_for_an_unknown_name(module, name):
    with pytest.raises(ValueError, match="Valid names are"):
        module.get(name)


def test_package_rules_kept():
    assert keras.losses.get("mse") is keras.losses.mean_squared_error
    assert isinstance(keras.losses.get("MeanSquaredError"), keras.losses.MeanSquaredError)
    assert isinstance(keras.metrics.get("auc"), keras.metrics.AUC)
    assert keras.activations.get(None) is keras.activations.linear
    assert keras.activations.serialize(keras.activations.swish) == "silu"
    assert keras.activations.get("hard_sigmoid", legacy=True) is keras.activations.hard_sigmoid_keras2
    assert isinstance(keras.optimizers.get("ADAM"), keras.optimizers.Adam)
    assert isinstance(keras.optimizers.deserialize({"class_name": "Custom>Adam", "config": {}}), keras.optimizers.Adam)
    with pytest.raises(ValueError):
        keras.optimizers.get(lambda: 0)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)
    again = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(schedule))
    assert again.get_config() == schedule.get_config()


def test_one_converter_float64_becomes_floatx():
    assert tensors.to_tensor(np.zeros(3)).dtype == torch.float32
    assert tensors.to_tensor(torch.zeros(3, dtype=torch.float64)).dtype == torch.float32
    assert tensors.to_tensor(np.zeros(3, dtype="int64")).dtype == torch.int64
    with pytest.raises(TypeError, match="encode strings"):
        tensors.to_tensor(np.array(["a"]))
    nest = tensors.numeric_leaves_to_tensors({"a": np.ones(2), "b": "keep", "c": [1.5]})
    assert nest["b"] == "keep" and nest["a"].dtype == torch.float32 and nest["c"][0].dtype == torch.float32
    layer = keras.layers.Dense(2)
    assert layer(np.ones((1, 3))).dtype == torch.float32
