"""keras.config switches: same defaults, setters and errors as real Keras 3.15.1."""
from __future__ import annotations

import pytest

import kerastorch

PAIRS = [  # (getter, enable/setter, disable/reset)
    ("is_interactive_logging_enabled", "enable_interactive_logging", "disable_interactive_logging"),
    ("is_traceback_filtering_enabled", "enable_traceback_filtering", "disable_traceback_filtering"),
    ("is_flash_attention_enabled", "enable_flash_attention", "disable_flash_attention"),
]


@pytest.mark.parametrize("getter,enable,disable", PAIRS)
def test_switches_read_like_keras(real_keras, getter, enable, disable):
    for lib in (real_keras, kerastorch):
        getattr(lib.config, enable)()
    assert getattr(kerastorch.config, getter)() == getattr(real_keras.config, getter)()
    try:
        for lib in (real_keras, kerastorch):
            getattr(lib.config, disable)()
        assert getattr(kerastorch.config, getter)() == getattr(real_keras.config, getter)()
    finally:
        for lib in (real_keras, kerastorch):
            getattr(lib.config, enable)()


def test_utils_shares_the_logging_switch():
    kerastorch.utils.disable_interactive_logging()
    try:
        assert not kerastorch.config.is_interactive_logging_enabled()
    finally:
        kerastorch.utils.enable_interactive_logging()
    assert kerastorch.utils.is_interactive_logging_enabled()


def test_max_epochs_and_steps(real_keras):
    assert kerastorch.config.max_epochs() == real_keras.config.max_epochs() is None
    assert kerastorch.config.max_steps_per_epoch() == real_keras.config.max_steps_per_epoch() is None
    kerastorch.config.set_max_epochs(3)
    kerastorch.config.set_max_steps_per_epoch(5)
    try:
        assert (kerastorch.config.max_epochs(), kerastorch.config.max_steps_per_epoch()) == (3, 5)
    finally:
        kerastorch.config.set_max_epochs(None)
        kerastorch.config.set_max_steps_per_epoch(None)
    assert kerastorch.config.max_epochs() is None
    with pytest.raises(ValueError, match="max_epochs"):
        kerastorch.config.set_max_epochs(0)


def test_backend_and_nnx(real_keras):
    assert kerastorch.config.backend() == real_keras.config.backend() == "torch"
    assert kerastorch.config.is_nnx_enabled() is real_keras.config.is_nnx_enabled() is False
    kerastorch.config.set_backend("torch")
    with pytest.raises(ValueError, match="PyTorch only.*'jax'"):
        kerastorch.config.set_backend("jax")


def test_dtype_policy_round_trip(real_keras):
    assert kerastorch.config.dtype_policy().name == real_keras.config.dtype_policy().name == "float32"
    kerastorch.config.set_dtype_policy("mixed_float16")
    try:
        policy = kerastorch.config.dtype_policy()
        assert (policy.compute_dtype, policy.variable_dtype) == ("float16", "float32")
        assert kerastorch.DTypePolicy().name == "mixed_float16"  # None means the global policy, as in Keras
    finally:
        kerastorch.config.set_dtype_policy("float32")


def test_enable_unsafe_deserialization_reaches_saving(monkeypatch):
    from kerastorch._core import settings
    from kerastorch.layers import serialization
    monkeypatch.setattr(settings, "_UNSAFE_DESERIALIZATION", [False])
    assert serialization.in_safe_mode()
    kerastorch.config.enable_unsafe_deserialization()
    assert not serialization.in_safe_mode()
    assert kerastorch.saving.enable_unsafe_deserialization is kerastorch.config.enable_unsafe_deserialization


def test_disabled_interactive_logging_sends_progress_to_logging(capsys, caplog):
    import logging
    bar = kerastorch.utils.Progbar(2, verbose=2)
    kerastorch.config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="kerastorch"):
            bar.update(2, values=[("loss", 0.5)])
    finally:
        kerastorch.config.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    assert any("loss" in record.getMessage() for record in caplog.records)
