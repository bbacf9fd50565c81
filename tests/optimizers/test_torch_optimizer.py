"""compile(optimizer=<torch.optim optimizer, class or partial>): fit steps it like a kerastorch optimizer."""
from __future__ import annotations

import copy
import functools
import pickle
import warnings

import numpy as np
import pytest
import torch

RNG = np.random.default_rng(0)
X = RNG.normal(size=(16, 4)).astype("float32")
Y = RNG.normal(size=(16, 3)).astype("float32")


def _model(keras, init=None):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"), keras.layers.Dense(3)])
    if init is not None:
        model.set_weights(init)
    return model


def _torch_loop(model, optimizer, epochs=1, batch=4):
    """The reference: the plain torch loop a user writes (no shuffle, mean squared error)."""
    for _ in range(epochs):
        for i in range(0, len(X), batch):
            optimizer.zero_grad()
            loss = ((model(torch.tensor(X[i:i + batch])) - torch.tensor(Y[i:i + batch])) ** 2).mean()
            loss.backward()
            optimizer.step()


def _weights(model):
    return [w.detach().clone() for w in model.trainable_weights]


def _max_diff(a, b):
    return max(float((u - v).abs().max()) for u, v in zip(a, b))


@pytest.mark.parametrize("form", ["instance", "class", "partial"])
def test_fit_with_torch_adamw_equals_the_torch_loop(keras, form):
    init = _model(keras).get_weights()
    reference = _model(keras, init)
    # fused=True: what the adapter picks on CPU when the user leaves the choice to torch (see below)
    _torch_loop(reference, torch.optim.AdamW(reference.parameters(), lr=0.01, weight_decay=0.1, fused=True))
    model = _model(keras, init)
    spec = {"instance": lambda: torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.1),
            "class": lambda: torch.optim.AdamW,
            "partial": lambda: functools.partial(torch.optim.AdamW, lr=0.01, weight_decay=0.1)}[form]()
    model.compile(optimizer=spec, loss="mse")
    opt = model.optimizer
    assert isinstance(opt, keras.optimizers.TorchOptimizer)
    if form == "class":  # the class default lr (1e-3) until built; set like any Keras optimizer
        assert float(opt.learning_rate) == pytest.approx(1e-3)
        opt.learning_rate = 0.01
        opt.build(model.trainable_weights)
        for group in opt.torch_optimizer.param_groups:
            group["weight_decay"] = 0.1
    else:
        assert float(opt.learning_rate) == pytest.approx(0.01)
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert int(opt.iterations) == 4
    if form == "instance":
        assert opt.torch_optimizer is spec
    assert isinstance(opt.torch_optimizer, torch.optim.AdamW)
    assert _max_diff(_weights(model), _weights(reference)) == 0.0


def test_optimizer_on_some_parameters_updates_only_those(keras):
    model = _model(keras)
    first, second = model.layers
    before = _weights(model)
    model.compile(optimizer=torch.optim.SGD(second.parameters(), lr=0.1), loss="mse")
    with pytest.warns(UserWarning, match="not in the torch optimizer's param groups"):
        model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    after = _weights(model)
    assert torch.equal(before[0], after[0]) and torch.equal(before[1], after[1])  # first layer untouched
    assert not torch.equal(before[2], after[2])


def test_frozen_layer_is_not_updated_even_with_a_stale_gradient_and_weight_decay(keras):
    model = _model(keras)
    model.compile(optimizer=torch.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.5), loss="mse")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    first = model.layers[0]
    assert first.kernel.grad is not None  # left over from the last step
    first.trainable = False
    frozen = [first.kernel.detach().clone(), first.bias.detach().clone()]
    head = model.layers[1].kernel.detach().clone()
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    assert torch.equal(frozen[0], first.kernel.detach()) and torch.equal(frozen[1], first.bias.detach())
    assert not torch.equal(head, model.layers[1].kernel.detach())


@pytest.mark.parametrize("clip", [{"clipnorm": 0.05}, {"clipvalue": 0.01}, {"global_clipnorm": 0.05}])
def test_keras_clipping_on_a_torch_sgd_equals_kerastorch_sgd(keras, clip):
    init = _model(keras).get_weights()
    ours = _model(keras, init)
    ours.compile(optimizer=keras.optimizers.SGD(0.1, **clip), loss="mse")
    ours.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    wrapped = _model(keras, init)
    wrapped.compile(optimizer=keras.optimizers.TorchOptimizer(torch.optim.SGD(wrapped.parameters(), lr=0.1), **clip),
                    loss="mse")
    wrapped.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert _max_diff(_weights(ours), _weights(wrapped)) < 1e-6
    unclipped = _model(keras, init)
    unclipped.compile(optimizer=torch.optim.SGD(unclipped.parameters(), lr=0.1), loss="mse")
    unclipped.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    assert _max_diff(_weights(unclipped), _weights(wrapped)) > 1e-4  # the clipping did something


def test_gradient_accumulation_steps_the_torch_optimizer_every_n_batches(keras):
    init = _model(keras).get_weights()
    ours = _model(keras, init)
    ours.compile(optimizer=keras.optimizers.SGD(0.1, gradient_accumulation_steps=2), loss="mse")
    ours.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    wrapped = _model(keras, init)
    opt = keras.optimizers.TorchOptimizer(torch.optim.SGD(wrapped.parameters(), lr=0.1), gradient_accumulation_steps=2)
    wrapped.compile(optimizer=opt, loss="mse")
    wrapped.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert int(opt.iterations) == 2  # 4 batches, 2 updates (Keras counts updates)
    assert _max_diff(_weights(ours), _weights(wrapped)) < 1e-6


def test_loss_scale_optimizer_wraps_a_torch_optimizer(keras):
    init = _model(keras).get_weights()
    plain = _model(keras, init)
    plain.compile(optimizer=torch.optim.Adam(plain.parameters(), lr=0.01), loss="mse")
    plain.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    scaled = _model(keras, init)
    inner = keras.optimizers.TorchOptimizer(torch.optim.Adam(scaled.parameters(), lr=0.01))
    scaled.compile(optimizer=keras.optimizers.LossScaleOptimizer(inner, initial_scale=2.0 ** 10), loss="mse")
    scaled.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert _max_diff(_weights(plain), _weights(scaled)) < 1e-5
    assert int(scaled.optimizer.iterations) == 4
    # A step with an overflowing gradient is skipped and halves the scale, as for any inner optimizer.
    before = _weights(scaled)
    params = scaled.trainable_weights
    scaled.optimizer.apply([torch.full_like(p, float("inf")) for p in params], params)
    assert _max_diff(before, _weights(scaled)) == 0.0
    assert float(scaled.optimizer.dynamic_scale) == 2.0 ** 9


def test_mixed_float16_compile_wraps_the_torch_optimizer(keras):
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = _model(keras)
        model.compile(optimizer=torch.optim.SGD, loss="mse")
        assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(model.optimizer.inner_optimizer, keras.optimizers.TorchOptimizer)
        model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
        assert isinstance(model.optimizer.inner_optimizer.torch_optimizer, torch.optim.SGD)
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.slow  # torch.compile of the train step: ~10 s on a quiet 2-core machine
def test_jit_compile_gives_the_eager_result(keras):
    init = _model(keras).get_weights()
    runs = []
    for jit in (False, True):
        model = _model(keras, init)
        model.compile(optimizer=torch.optim.AdamW(model.parameters(), lr=0.01), loss="mse", jit_compile=jit)
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="jit_compile")  # no "could not compile, continues eagerly"
            model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        runs.append(_weights(model))
        assert int(model.optimizer.iterations) == 8
    assert _max_diff(*runs) < 1e-6


def test_constraints_apply_to_torch_optimizers(keras):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, kernel_constraint=keras.constraints.NonNeg())])
    model.compile(optimizer=torch.optim.SGD(model.parameters(), lr=0.5), loss="mse")
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert float(model.layers[0].kernel.min()) >= 0.0


def test_ema_of_a_torch_optimizer_is_put_in_place_at_the_end_of_fit(keras):
    model = _model(keras)
    opt = keras.optimizers.TorchOptimizer(torch.optim.SGD(model.parameters(), lr=0.5), use_ema=True, ema_momentum=0.5)
    model.compile(optimizer=opt, loss="mse")
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert all(torch.equal(w.detach(), avg) for w, avg in zip(model.trainable_weights, opt._ema))
    assert any("average/" in key for key in opt.get_state())


def test_state_round_trip_continues_training_identically(keras):
    init = _model(keras).get_weights()
    a = _model(keras, init)
    a.compile(optimizer=torch.optim.Adam(a.parameters(), lr=0.01), loss="mse")
    a.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    state = a.optimizer.get_state()
    assert {"iterations", "exp_avg/0", "exp_avg_sq/3", "step/1"} <= set(state)
    b = _model(keras, a.get_weights())
    b.compile(optimizer=torch.optim.Adam, loss="mse")
    b.optimizer.learning_rate = 0.01
    b.optimizer.set_state(state)  # not built yet: applied when built
    a.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    b.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    assert _max_diff(_weights(a), _weights(b)) == 0.0
    assert int(b.optimizer.iterations) == 8


def test_config_round_trip_and_saved_model(keras, tmp_path):
    model = _model(keras)
    model.compile(optimizer=torch.optim.AdamW(model.parameters(), lr=0.02, betas=(0.8, 0.9), weight_decay=0.3),
                  loss="mse")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    config = keras.optimizers.serialize(model.optimizer)
    assert config["class_name"] == "TorchOptimizer"
    assert config["config"]["torch_class"] == "torch.optim.adamw.AdamW"
    clone = keras.optimizers.deserialize(config)
    assert clone.torch_class is torch.optim.AdamW and float(clone.learning_rate) == pytest.approx(0.02)
    clone.build(_model(keras).trainable_weights)
    group = clone.torch_optimizer.param_groups[0]
    assert group["betas"] == (0.8, 0.9) and group["weight_decay"] == 0.3 and group["lr"] == pytest.approx(0.02)
    path = tmp_path / "m.keras"
    keras.saving.save_model(model, path)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Could not restore the optimizer state")
        loaded = keras.saving.load_model(path)
    assert isinstance(loaded.optimizer, keras.optimizers.TorchOptimizer)
    saved_state, loaded_state = model.optimizer.get_state(), loaded.optimizer.get_state()
    assert sorted(saved_state) == sorted(loaded_state) and int(loaded.optimizer.iterations) == 2
    assert all(torch.equal(saved_state[k], loaded_state[k]) for k in saved_state)
    model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    loaded.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert _max_diff(_weights(model), _weights(loaded)) == 0.0  # training continues where it stopped
    assert loaded.optimizer.torch_optimizer.param_groups[0]["betas"] == (0.8, 0.9)


def test_unknown_torch_class_in_a_config_says_how_to_fix(keras):
    class MySGD(torch.optim.SGD):
        pass

    opt = keras.optimizers.TorchOptimizer(MySGD)
    config = opt.get_config()
    with pytest.raises(TypeError, match="custom_objects"):
        keras.optimizers.TorchOptimizer.from_config(config)
    assert keras.optimizers.TorchOptimizer.from_config(config, custom_objects={"MySGD": MySGD}).torch_class is MySGD


def test_clear_errors(keras):
    model = _model(keras)
    with pytest.raises(TypeError, match="closure"):
        model.compile(optimizer=torch.optim.LBFGS(model.parameters()), loss="mse")
    with pytest.raises(TypeError, match="already a kerastorch optimizer"):
        keras.optimizers.TorchOptimizer(keras.optimizers.Adam())
    with pytest.raises(TypeError, match="torch.optim.Optimizer"):
        keras.optimizers.TorchOptimizer("adam")
    opt = keras.optimizers.TorchOptimizer(torch.optim.Adam)
    with pytest.raises(ValueError, match="first training step"):
        _ = opt.param_groups
    with pytest.raises(TypeError, match="float"):
        opt.learning_rate = "fast"


def test_model_optimizer_stays_inspectable_and_picklable(keras):
    model = _model(keras)
    model.compile(optimizer=torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), loss="mse")
    opt = model.optimizer
    assert int(opt.iterations) == 0 and float(opt.learning_rate) == pytest.approx(0.1)
    assert opt.momentum == pytest.approx(0.9) and not hasattr(opt, "beta_1")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    assert int(opt.iterations) == 2
    assert len(opt.variables) == 1 + 4  # iterations + one momentum buffer per weight
    assert opt.param_groups is opt.torch_optimizer.param_groups
    clone = pickle.loads(pickle.dumps(opt))
    assert int(clone.iterations) == 2 and float(clone.learning_rate) == pytest.approx(0.1)
    assert copy.deepcopy(opt).torch_optimizer is not opt.torch_optimizer


def test_fused_auto_takes_torchs_fused_kernel_only_where_the_user_left_the_choice(keras):
    init = _model(keras).get_weights()
    runs = {}
    for label, kwargs, fused in [("auto", {}, "auto"), ("kept", {}, False), ("foreach", {"foreach": True}, "auto")]:
        model = _model(keras, init)
        torch_opt = torch.optim.AdamW(model.parameters(), lr=0.01, **kwargs)
        model.compile(optimizer=keras.optimizers.TorchOptimizer(torch_opt, fused=fused), loss="mse")
        model.fit(X, Y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        runs[label] = (torch_opt.param_groups[0]["fused"], _weights(model), model.optimizer.get_config())
    assert runs["auto"][0] is True and runs["kept"][0] is None and runs["foreach"][0] is None
    assert runs["auto"][2]["torch_config"]["fused"] is None  # the adapter's choice is not saved as the user's
    # the same training up to float rounding
    assert _max_diff(runs["auto"][1], runs["kept"][1]) < 1e-5
    with pytest.raises(ValueError, match="fused"):
        keras.optimizers.TorchOptimizer(torch.optim.AdamW, fused=True)


def test_learning_rate_tensor_is_live_both_ways(keras):
    model = _model(keras)
    torch_opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.compile(optimizer=torch_opt, loss="mse")
    lr = model.optimizer.learning_rate
    keras.backend.set_value(lr, 0.05)  # Keras code writes into the tensor
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    assert torch_opt.param_groups[0]["lr"] == pytest.approx(0.05)
    torch_opt.param_groups[0]["lr"] = 0.02  # a torch scheduler writes the group
    assert model.optimizer.learning_rate is lr and float(lr) == pytest.approx(0.02)
