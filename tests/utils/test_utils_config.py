"""keras.utils.Config against real Keras 3.15.1."""
from __future__ import annotations

import copy

import kerastorch


def test_config_behaves_like_keras(real_keras):
    for Config in (real_keras.utils.Config, kerastorch.utils.Config):
        c = Config(learning_rate=0.1)
        c.units = 4
        c["depth"] = 2
        assert (c.learning_rate, c["units"], c.depth, len(c), "units" in c) == (0.1, 4, 2, 3, True)
    k, t = real_keras.utils.Config(a=1, b=[2]), kerastorch.utils.Config(a=1, b=[2])
    assert repr(t) == repr(k) and t.to_json() == k.to_json() and t.as_dict() == k.as_dict()
    assert list(t) == list(k) and list(t.items()) == list(k.items())


def test_frozen_config_raises_like_keras(real_keras):
    outcomes = []
    for Config in (real_keras.utils.Config, kerastorch.utils.Config):
        c = Config(a=1)
        c.freeze()
        result = []
        for mutate in (lambda: setattr(c, "a", 2), lambda: c.__setitem__("b", 1), lambda: c.update(a=3),
                       lambda: c.pop("a"), lambda: c.missing):
            try:
                mutate()
                result.append(None)
            except Exception as error:  # noqa: BLE001 - compare type and message with Keras
                result.append((type(error).__name__, str(error)))
        assert c.frozen and c.a == 1
        outcomes.append(result)
    assert outcomes[0] == outcomes[1]


def test_copies_are_independent():
    c = kerastorch.utils.Config(a=[1])
    deep = copy.deepcopy(c)
    deep.a.append(2)
    assert c.a == [1] and deep.a == [1, 2]
    c.unfreeze()
    c.b = 3
    assert c.get("b") == 3 and c.get("zzz", 0) == 0
