"""torch.optim.lr_scheduler in fit (TorchLRScheduler) and directly on kerastorch optimizers (param_groups)."""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import torch

RNG = np.random.default_rng(1)
X = RNG.normal(size=(32, 4)).astype("float32")
Y = RNG.normal(size=(32, 1)).astype("float32")


def _model(keras):
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])


def _lr_recorder(keras, model, lrs):
    """Records the learning rate each training batch runs with."""
    return keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: lrs.append(float(model.optimizer.learning_rate)))


def _torch_lrs(make_scheduler, steps, per="batch", steps_per_epoch=4):
    """The lrs a torch loop would run with: the reference sequence."""
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([param], lr=0.01)
    sched = make_scheduler(opt)
    out = []
    for step in range(steps):
        out.append(opt.param_groups[0]["lr"])
        param.grad = torch.zeros(1)
        opt.step()
        if per == "batch" or (step + 1) % steps_per_epoch == 0:
            sched.step()
    return out


def test_one_cycle_lr_drives_a_kerastorch_adam_directly(keras):
    model = _model(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    opt = model.optimizer
    assert isinstance(opt, torch.optim.Optimizer)  # what torch's schedulers check
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=16)
    betas = []
    lrs: list = []
    cbs = [_lr_recorder(keras, model, lrs), keras.callbacks.TorchLRScheduler(sched, interval="batch"),
           keras.callbacks.LambdaCallback(on_train_batch_begin=lambda b, logs: betas.append(opt.beta_1))]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*lr_scheduler.step")  # torch's "wrong order" warning
        model.fit(X, Y, batch_size=8, epochs=4, verbose=0, callbacks=cbs)
    expected = _torch_lrs(lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=16), 16)
    np.testing.assert_allclose(lrs, expected, rtol=1e-6)
    assert betas[0] == pytest.approx(0.95) and min(betas) == pytest.approx(0.85, abs=1e-3)  # beta_1 cycled too


def test_cosine_annealing_per_epoch_with_a_factory_and_a_torch_class(keras):
    model = _model(keras)
    model.compile(optimizer=torch.optim.Adam, loss="mse")
    model.optimizer.learning_rate = 0.01
    cb = keras.callbacks.TorchLRScheduler(lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3))
    history = model.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[cb])
    assert cb.scheduler.optimizer is model.optimizer.torch_optimizer  # built at on_train_begin
    expected = _torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=3), 13, per="epoch")
    np.testing.assert_allclose(history.history["learning_rate"], [expected[4], expected[8], expected[12]], atol=1e-9)


def test_scheduler_on_the_users_torch_optimizer(keras):
    model = _model(keras)
    torch_opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model.compile(optimizer=torch_opt, loss="mse")
    sched = torch.optim.lr_scheduler.StepLR(torch_opt, step_size=1, gamma=0.5)
    history = model.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[keras.callbacks.TorchLRScheduler(sched)])
    np.testing.assert_allclose(history.history["learning_rate"], [0.05, 0.025, 0.0125])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0125)


def test_reduce_lr_on_plateau_watches_the_monitor(keras):
    model = _model(keras)
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(model.optimizer, mode="max", patience=0, factor=0.5)
    cb = keras.callbacks.TorchLRScheduler(sched, monitor="loss")
    history = model.fit(X, Y, batch_size=8, epochs=3, verbose=0, callbacks=[cb])
    # mode="max" on a falling loss: no improvement after the first epoch, so it halves each epoch after.
    np.testing.assert_allclose(history.history["learning_rate"], [0.1, 0.05, 0.025], rtol=1e-6)


def test_scheduler_on_another_optimizer_and_bad_arguments_fail_clearly(keras):
    model = _model(keras)
    model.compile(optimizer=torch.optim.Adam, loss="mse")
    other = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    cb = keras.callbacks.TorchLRScheduler(torch.optim.lr_scheduler.StepLR(other, step_size=1))
    with pytest.raises(ValueError, match="not the model's optimizer"):
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[cb])
    with pytest.raises(ValueError, match="interval"):
        keras.callbacks.TorchLRScheduler(lambda o: None, interval="step")
    with pytest.raises(TypeError, match="lr_scheduler"):
        keras.callbacks.TorchLRScheduler(0.1)
    with pytest.raises(ValueError, match="interval='epoch'"):
        keras.callbacks.TorchLRScheduler(torch.optim.lr_scheduler.ReduceLROnPlateau(other), interval="batch")


def test_kerastorch_optimizer_param_groups_are_live(keras):
    opt = keras.optimizers.SGD(0.1, momentum=0.9)
    group = opt.param_groups[0]
    assert group["lr"] == pytest.approx(0.1) and group["momentum"] == pytest.approx(0.9)
    opt.learning_rate = 0.2
    assert group["lr"] == pytest.approx(0.2)
    group["lr"] = 0.05
    assert float(opt.learning_rate) == pytest.approx(0.05)
    assert "momentum" not in keras.optimizers.SGD(0.1).defaults  # nothing to cycle without momentum
    assert keras.optimizers.Adam().defaults["betas"] == (0.9, 0.999)
    # A schedule-driven optimizer refuses a scheduler's write, as it refuses `learning_rate = x`.
    scheduled = keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        scheduled.param_groups[0]["lr"] = 0.3


def test_kerastorch_optimizer_in_a_plain_torch_loop_with_a_scheduler(keras):
    model = _model(keras)
    opt = keras.optimizers.Adam(0.01)
    opt.build(model.trainable_weights)
    sched = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.5, total_iters=2)
    for i in range(0, 32, 8):
        opt.zero_grad()
        loss = ((model(torch.tensor(X[i:i + 8])) - torch.tensor(Y[i:i + 8])) ** 2).mean()
        loss.backward()
        opt.step()
        sched.step()
    assert int(opt.iterations) == 4 and float(opt.learning_rate) == pytest.approx(0.01)
    clone = pickle.loads(pickle.dumps(opt))  # the scheduler's wrapper around `step` is not pickled
    assert int(clone.iterations) == 4
    with pytest.raises(ValueError, match="build"):
        keras.optimizers.Adam().step()


def test_one_cycle_scheduler_callback_with_a_torch_optimizer(keras):
    model = _model(keras)
    model.compile(optimizer=torch.optim.Adam(model.parameters(), lr=0.01), loss="mse")
    cb = keras.callbacks.OneCycleScheduler(max_lr=0.1, total_steps=8)
    model.fit(X, Y, batch_size=8, epochs=2, verbose=0, callbacks=[cb])
    assert max(cb.learning_rates) == pytest.approx(0.1, rel=1e-2)
    assert cb.momentums and min(cb.momentums) == pytest.approx(0.85, abs=1e-3)  # beta1 of torch Adam cycled
    group = model.optimizer.torch_optimizer.param_groups[0]
    assert group["lr"] == pytest.approx(cb.learning_rates[-1]) and group["betas"][0] == pytest.approx(cb.momentums[-1])


def test_lr_find_with_a_torch_optimizer_restores_it(keras):
    model = _model(keras)
    torch_opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.compile(optimizer=torch_opt, loss="mse")
    opt = model.optimizer
    before = [w.detach().clone() for w in model.trainable_weights]
    result = model.lr_find(X, Y, batch_size=8, num_steps=12)
    assert model.optimizer is opt and opt.torch_optimizer is torch_opt and not torch_opt.state
    assert all(torch.equal(a, b.detach()) for a, b in zip(before, model.trainable_weights))
    assert len(result.learning_rates) > 3 and result.learning_rates[1] > result.learning_rates[0]


def test_discriminative_lrs_split_the_torch_param_groups(keras):
    model = _model(keras)
    model.compile(optimizer=torch.optim.SGD(model.parameters(), lr=0.1), loss="mse")
    factors = model.set_layer_group_lrs(groups=2, lrs=[0.1, 1.0])  # factors of the lr (0.1)
    groups = model.optimizer.torch_optimizer.param_groups
    assert sorted(round(g["lr"], 6) for g in groups) == [0.01, 0.1]
    body, head = model.layers
    before = [w.detach().clone() for w in model.trainable_weights]
    model.fit(X[:8], Y[:8], batch_size=8, epochs=1, shuffle=False, verbose=0)
    model.optimizer.learning_rate = 0.2
    assert sorted(round(g["lr"], 6) for g in groups) == [0.02, 0.2]
    assert factors == pytest.approx([0.1, 1.0])
    assert not torch.equal(before[0], body.kernel.detach()) and not torch.equal(before[2], head.kernel.detach())
