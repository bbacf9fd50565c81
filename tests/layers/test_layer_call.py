"""The one call path of ``Layer``: torch's ``nn.Module.__call__`` machinery, error context,
training resolution, thread-local contexts, the per-layer call spec."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

import kerastorch as keras
from kerastorch.layers import call_context
from kerastorch.layers import layer as layer_module


class _Raises(keras.layers.Layer):
    def __init__(self, error: Exception, batch_size: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.error = error
        self.batch_size = batch_size  # raise only for this batch size (None: always)

    def call(self, x):
        if self.batch_size is None or x.shape[0] == self.batch_size:
            raise self.error
        return x


class _Flag(keras.layers.Layer):
    """Records the ``training`` value each call receives."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []

    def call(self, x, training=None):
        self.seen.append(training)
        return x


class _Outer(keras.layers.Layer):
    """A layer with a ``training`` argument calling a nested layer without passing it."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = _Flag()

    def call(self, x, training=None):
        return self.inner(x)


# ------------------------------------------------------------------ errors
def test_out_of_memory_keeps_its_type_and_gains_the_layer_context():
    layer = _Raises(torch.OutOfMemoryError("simulated"), name="boom")
    with pytest.raises(torch.OutOfMemoryError, match="simulated") as info:
        layer(torch.ones(2, 3))
    assert type(info.value) is torch.OutOfMemoryError
    assert info.value.__notes__ == ['Exception encountered when calling _Raises "boom" on inputs of shape (2, 3).']


@pytest.mark.parametrize("error", [RuntimeError("bad kernel"), IndexError("index 9"), KeyError("k"),
                                   TypeError("wrong type")])
def test_any_error_keeps_its_type(error):
    with pytest.raises(type(error)) as info:
        _Raises(error, name="raiser")(np.ones((4, 2), "float32"))
    assert info.value is error
    assert '"raiser"' in info.value.__notes__[0] and "(4, 2)" in info.value.__notes__[0]


def test_only_the_innermost_layer_adds_its_context():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(2),
                              _Raises(RuntimeError("inner failure"), batch_size=5, name="inner")], name="outer")
    with pytest.raises(RuntimeError, match="inner failure") as info:
        model(torch.ones(5, 3))
    assert len(info.value.__notes__) == 1
    assert '"inner" on inputs of shape (5, 2)' in info.value.__notes__[0]


def test_context_without_exception_notes_rebuilds_the_same_type():
    # The Python 3.10 path (no add_note): same type, context appended to the message.
    layer = _Raises(ValueError("x"), name="old_python")
    error = ValueError("original message")
    out = call_context.with_call_context(error, layer, torch.ones(2, 2), use_notes=False)
    assert type(out) is ValueError and out is not error
    assert str(out).startswith("original message") and '"old_python"' in str(out)
    # Already annotated (by an inner layer): passed on unchanged.
    assert call_context.with_call_context(out, layer, torch.ones(2, 2), use_notes=False) is out

    class NeedsTwo(Exception):
        def __init__(self, a, b):
            super().__init__(a, b)
    odd = NeedsTwo(1, 2)
    assert call_context.with_call_context(odd, layer, torch.ones(1), use_notes=False) is odd


def test_incompatible_input_is_still_a_keras_value_error():
    dense = keras.layers.Dense(2)
    dense(torch.ones(1, 3))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        dense(torch.ones(1, 4))
    with pytest.raises(ValueError, match=r"expected axis -1 .* value 3, but received input with shape \(2, 5, 4\)"):
        dense(torch.ones(2, 5, 4))
    with pytest.raises(ValueError, match=r"expected min_ndim=2, found ndim=1. Full shape received: \(3,\)"):
        dense(torch.ones(3))
    no_bias = keras.layers.Dense(2, use_bias=False)
    no_bias(torch.ones(1, 3))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        no_bias(torch.ones(1, 4))
    assert not hasattr(layer_module, "LayerCallError")



def _error_of(layer, x) -> str:
    try:
        layer(x)
    except ValueError as e:
        return str(e).splitlines()[0]
    return "no error"


@pytest.mark.parametrize("x_shape", [(2, 4), (2, 3, 5), (2, 3, 4)])
def test_a_layers_input_spec_is_checked_on_every_call_as_keras_does(real_keras, x_shape):
    def make(k):
        class Identity(k.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.input_spec = k.InputSpec(ndim=3, axes={-1: 4})

            def call(self, x):
                return x
        return Identity(name="identity")

    x = np.zeros(x_shape, "float32")
    assert _error_of(make(keras), torch.as_tensor(x)) == _error_of(make(real_keras), x)


def test_input_spec_set_after_the_first_call_applies():
    layer = keras.layers.Activation("relu")
    layer(torch.ones(2, 3))
    layer.input_spec = keras.InputSpec(ndim=3)
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        layer(torch.ones(2, 3))


# ------------------------------------------------------------- torch's call
def test_module_compile_is_honoured():
    dense = keras.layers.Dense(3)
    dense(torch.ones(2, 4))
    hit = []
    dense._compiled_call_impl = lambda *a, **k: hit.append(1)  # what nn.Module.compile() installs
    dense(torch.ones(2, 4))
    assert hit


def test_module_compile_runs_the_layer():
    dense = keras.layers.Dense(3, activation="relu")
    x = torch.randn(2, 4)
    expected = dense(x)
    dense.compile(backend="eager")
    torch.testing.assert_close(dense(x), expected)


def test_forward_hooks_and_pre_hooks_fire():
    dense = keras.layers.Dense(2, kernel_initializer="ones", use_bias=False)
    calls = []
    dense.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    dense.register_forward_hook(lambda m, args, out: calls.append(tuple(out.shape)) or out + 1)
    out = dense(torch.ones(1, 3))
    assert calls == [(1, 2)]
    torch.testing.assert_close(out, torch.full((1, 2), 7.0))  # (1+1+1)*2 + 1


def test_global_forward_hook_sees_nested_layers():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
    seen = []
    handle = torch.nn.modules.module.register_module_forward_hook(lambda m, a, o: seen.append(m.name))
    try:
        model(torch.ones(2, 3))
    finally:
        handle.remove()
    assert seen == [model.layers[0].name, model.layers[1].name, model.name]


@pytest.mark.parametrize("register", ["forward_pre", "full_backward", "backward_pre"])
def test_every_kind_of_global_module_hook_fires(register):
    # Layer.__call__ skips nn.Module.__call__'s frames only under torch's own no-hook test, which
    # looks at all four process-wide hook dicts; a hook of any kind must still run.
    dense = keras.layers.Dense(2)
    dense(torch.ones(1, 3))
    seen = []
    module_hooks = torch.nn.modules.module
    if register == "forward_pre":
        handle = module_hooks.register_module_forward_pre_hook(lambda m, a: seen.append(m.name))
    elif register == "full_backward":
        handle = module_hooks.register_module_full_backward_hook(lambda m, gi, go: seen.append(m.name))
    else:
        handle = module_hooks.register_module_full_backward_pre_hook(lambda m, go: seen.append(m.name))
    try:
        dense(torch.ones(1, 3, requires_grad=True)).sum().backward()
    finally:
        handle.remove()
    assert seen == [dense.name]
    seen.clear()
    dense(torch.ones(1, 3))
    assert seen == []



def test_hooks_added_after_calls_fire_and_removed_ones_stop():
    # torch's _call_impl decides on every call: a hook registered later runs, a removed one stops.
    dense = keras.layers.Dense(2)
    dense(torch.ones(1, 3))
    calls = []
    handle = dense.register_forward_hook(lambda m, args, out: calls.append(1))
    dense(torch.ones(1, 3))
    handle.remove()
    dense(torch.ones(1, 3))
    assert calls == [1]


def test_full_backward_hook_fires():
    dense = keras.layers.Dense(2)
    grads = []
    dense.register_full_backward_hook(lambda m, grad_in, grad_out: grads.append(grad_out[0].shape))
    dense(torch.ones(4, 3, requires_grad=True)).sum().backward()
    assert grads == [torch.Size([4, 2])]


def test_jit_trace_records_the_layer_calls():
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(1)])
    x = torch.randn(5, 3)
    with torch.no_grad():
        traced = torch.jit.trace(model, x)
        torch.testing.assert_close(traced(x), model(x))
    assert "aten::addmm" in str(traced.inlined_graph)


# ------------------------------------------------------------------ training
def test_training_none_follows_the_module_mode():
    layer = _Flag()
    layer(torch.ones(1))
    layer.train()
    layer(torch.ones(1))
    layer(torch.ones(1), training=False)
    assert layer.seen == [False, True, False]


def _first_batch_loss_of_a_model_whose_call_lacks_training(lib) -> float:
    """Dropout(0.5) inside a subclassed model whose ``call`` has no ``training`` argument, lr 0."""

    class Net(lib.Model):
        def __init__(self):
            super().__init__()
            self.drop = lib.layers.Dropout(0.5)
            self.dense = lib.layers.Dense(1, kernel_initializer="ones", use_bias=False)

        def call(self, x):
            return self.dense(self.drop(x))

    net = Net()
    net.compile(lib.optimizers.SGD(0.0), "mse")
    history = net.fit(np.ones((64, 10), "float32"), np.full((64, 1), 10.0, "float32"), batch_size=64,
                      verbose=0)
    return history.history["loss"][0]


def test_a_call_without_training_follows_the_module_mode_and_the_switch_gives_keras(keras, real_keras):
    # Keras passes training=None to the layers of such a model, so Dropout never drops inside fit
    # (loss 0: ten ones times a kernel of ones); kerastorch follows fit's train mode.
    assert _first_batch_loss_of_a_model_whose_call_lacks_training(real_keras) == 0.0
    assert _first_batch_loss_of_a_model_whose_call_lacks_training(keras) > 1.0
    keras.config.set_default("training_when_unset", "inference")
    try:
        assert _first_batch_loss_of_a_model_whose_call_lacks_training(keras) == 0.0
    finally:
        keras.config.use_keras_defaults(False)


def test_training_reaches_nested_layers_and_is_resolved_once_per_model_call():
    outer = _Outer()
    outer(torch.ones(1), training=True)
    outer.train()
    outer(torch.ones(1))
    outer(torch.ones(1), training=False)
    assert outer.inner.seen == [True, True, False]
    model = keras.Sequential([keras.Input(shape=(2,)), _Flag(), _Outer()])
    model.layers[0].seen.clear()  # shape probes while the model was built
    model.layers[1].inner.seen.clear()
    model(torch.ones(1, 2), training=True)
    model(torch.ones(1, 2))
    assert model.layers[0].seen == [True, False] and model.layers[1].inner.seen == [True, False]
    assert call_context.CALL_STATE.training == []


def test_explicit_training_of_a_nested_call_wins_and_is_undone():
    class Mixed(keras.layers.Layer):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = _Outer(), _Flag(), _Flag()

        def call(self, x, training=None):
            self.a(x, training=not training)
            return self.b(x) + self.c(x, training=training)

    layer = Mixed()
    layer(torch.ones(1), training=True)
    assert layer.a.inner.seen == [False] and layer.b.seen == [True] and layer.c.seen == [True]


def test_training_context_is_per_thread():
    layer = _Flag()
    seen_in_thread = []

    def run():
        layer(torch.ones(1))
        seen_in_thread.append(list(call_context.CALL_STATE.training))

    with call_context.training_context(True):
        layer(torch.ones(1))
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    assert layer.seen == [True, False]  # the thread sees the module mode, not the main thread's context
    assert seen_in_thread == [[]]


def test_build_device_scope_is_per_thread():
    seen = []
    with call_context.build_device_scope(torch.device("meta")):
        worker = threading.Thread(target=lambda: seen.append(keras.layers.Layer._build_device()))
        worker.start()
        worker.join()
        assert keras.layers.Layer._build_device() == torch.device("meta")
    assert seen == [torch.device("cpu")]


# ----------------------------------------------------------------- call spec
def test_activity_regularizer_set_after_the_first_call_applies():
    dense = keras.layers.Dense(2, kernel_initializer="ones")
    dense(torch.ones(4, 3))
    assert dense.losses == []
    dense.activity_regularizer = keras.regularizers.L1(0.5)
    dense(torch.ones(4, 3))
    torch.testing.assert_close(dense.losses[0], torch.tensor(0.5 * 3.0 * 2))  # sum(|3|*2 per row)*0.5 / batch


def test_masks_pass_through_layers_that_support_them():
    embed = keras.layers.Embedding(10, 4, mask_zero=True)
    dense = keras.layers.Dense(3)
    ids = torch.tensor([[1, 2, 0]])
    out = dense(embed(ids))
    torch.testing.assert_close(out._keras_mask, torch.tensor([[True, True, False]]))
    flat = keras.layers.Flatten()  # no masking support: the mask stops
    assert getattr(flat(embed(ids)), "_keras_mask", None) is None


def test_numpy_inputs_and_build_on_first_call():
    dense = keras.layers.Dense(2)
    assert not dense.built
    out = dense(np.ones((3, 5)))  # float64 numpy becomes floatx
    assert dense.built and out.dtype == torch.float32 and tuple(out.shape) == (3, 2)
    assert dense._call_spec is not None
