"""Teacher-forcing schedules, the scheduler callback and how the model uses the probability."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from kerastorch.seq2seq import (
    ConstantSchedule,
    ExponentialDecay,
    InverseSigmoidDecay,
    LinearDecay,
    Seq2Seq,
    TeacherForcingScheduler,
    datasets,
    teacher_forcing,
)


def test_schedules_follow_bengio_et_al():
    lin = LinearDecay(decay_steps=10, initial=1.0, minimum=0.2)
    assert [round(lin(i), 6) for i in (0, 5, 10, 50)] == [1.0, 0.6, 0.2, 0.2]
    exp = ExponentialDecay(k=0.9)
    assert exp(0) == 1.0 and exp(3) == pytest.approx(0.9 ** 3)
    assert ExponentialDecay(k=0.5, minimum=0.3)(10) == 0.3
    inv = InverseSigmoidDecay(k=5)
    for i in (0, 3, 10, 40):
        assert inv(i) == pytest.approx(5 / (5 + math.exp(i / 5)))
    assert inv(10 ** 6) == 0.0 and InverseSigmoidDecay(k=5, minimum=0.1)(10 ** 6) == 0.1
    assert ConstantSchedule(0.7)(123) == 0.7
    for schedule in (lin, exp, inv):
        values = [schedule(i) for i in range(100)]
        assert all(0.0 <= v <= 1.0 for v in values)
        assert all(a >= b for a, b in zip(values, values[1:]))


def test_schedule_arguments_are_checked():
    with pytest.raises(ValueError):
        LinearDecay(decay_steps=0)
    with pytest.raises(ValueError):
        ExponentialDecay(k=1.5)
    with pytest.raises(ValueError):
        InverseSigmoidDecay(k=0.5)
    with pytest.raises(ValueError):
        ConstantSchedule(1.5)


def test_get():
    assert isinstance(teacher_forcing.get(0.5), ConstantSchedule)
    assert isinstance(teacher_forcing.get("inverse_sigmoid"), InverseSigmoidDecay)
    assert isinstance(teacher_forcing.get("exponential"), ExponentialDecay)
    s = teacher_forcing.get({"class_name": "LinearDecay", "config": {"decay_steps": 4}})
    assert isinstance(s, LinearDecay) and s(2) == 0.5
    assert teacher_forcing.get(InverseSigmoidDecay(k=3)).get_config() == {"k": 3.0, "minimum": 0.0}
    fn = lambda i: 0.3  # noqa: E731
    assert teacher_forcing.get(fn) is fn
    with pytest.raises(ValueError, match="Valid names"):
        teacher_forcing.get("cosine")
    with pytest.raises(ValueError, match="decay_steps"):
        teacher_forcing.get("linear")
    with pytest.raises(ValueError, match="unit"):
        TeacherForcingScheduler(0.5, unit="batch")


@pytest.fixture
def data():
    return datasets.dates(96, 16, seed=0, formats=["dd.mm.yyyy", "m/d/yy"])


def _model(keras, data, **kwargs):
    keras.utils.set_random_seed(0)
    kwargs.setdefault("attention", "dot")
    model = Seq2Seq(data.src_vocab.size, data.tgt_vocab.size, embedding_dim=8, units=16,
                    max_output_length=data.max_target_length, **kwargs)
    model.compile(optimizer="adam")
    return model


def test_scheduler_sets_the_probability_per_epoch_and_logs_it(keras, data):
    model = _model(keras, data)
    seen = []
    probe = keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(model.teacher_forcing))
    schedule = ExponentialDecay(k=0.5)
    history = model.fit(data.src_train, data.tgt_train, epochs=3, batch_size=32, verbose=0,
                        callbacks=[TeacherForcingScheduler(schedule), probe])
    assert seen == [1.0, 0.5, 0.25]
    assert history.history["teacher_forcing"] == [1.0, 0.5, 0.25]
    assert model.teacher_forcing == 0.25


def test_scheduler_per_step(keras, data):
    model = _model(keras, data)
    used = []
    probe = keras.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: used.append(logs["teacher_forcing"]))
    cb = TeacherForcingScheduler(LinearDecay(decay_steps=6, minimum=0.0), unit="step")
    history = model.fit(data.src_train, data.tgt_train, epochs=2, batch_size=32, verbose=0, callbacks=[cb, probe])
    # 3 batches per epoch; the training logs report the probability each batch used.
    assert used == pytest.approx([1.0, 5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6])
    assert history.history["teacher_forcing"] == pytest.approx([4 / 6, 1 / 6])
    assert cb.step == 6


def test_scheduler_needs_a_teacher_forcing_model(keras):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    x = np.zeros((4, 2), "float32")
    with pytest.raises(ValueError, match="teacher_forcing"):
        model.fit(x, x[:, :1], epochs=1, verbose=0, callbacks=[TeacherForcingScheduler(0.5)])


def test_training_logs_report_teacher_forcing_without_a_scheduler(keras, data):
    model = _model(keras, data, teacher_forcing=0.8)
    history = model.fit(data.src_train, data.tgt_train, epochs=1, batch_size=32, verbose=0)
    assert history.history["teacher_forcing"] == [0.8]


@pytest.mark.parametrize("attention", ["dot", "additive", None])
def test_probability_zero_feeds_the_models_own_predictions(keras, data, attention):
    model = _model(keras, data, attention=attention)
    src = torch.as_tensor(data.src_train[:8])
    tgt_in = torch.as_tensor(data.tgt_train[:8, :-1]).long()
    other = tgt_in.clone()
    other[:, 1:] = torch.randint(4, data.tgt_vocab.size, other[:, 1:].shape)
    model.teacher_forcing = 0.0
    with torch.no_grad():
        a = model((src, tgt_in), training=True)
        b = model((src, other), training=True)
        # Free-running training outputs are the greedy decoder's: argmax of step t is fed to step t + 1.
        greedy = model.greedy_decode(src, max_length=tgt_in.shape[1])
    torch.testing.assert_close(a, b)
    own = a.clone()
    own[..., [datasets.PAD_ID, datasets.START_ID]] = float("-inf")  # never generated, as in decoding
    own = own.argmax(-1).numpy()
    np.testing.assert_array_equal(own, np.where(greedy.numpy() == 0, own, greedy.numpy()))
    model.teacher_forcing = 1.0
    with torch.no_grad():
        c = model((src, tgt_in), training=True)
        d = model((src, other), training=True)
    assert not torch.allclose(c, d)


def test_probability_one_loop_equals_the_fused_decoder(keras, data):
    model = _model(keras, data, attention="general", cell="gru")
    src = torch.as_tensor(data.src_train[:8])
    tgt_in = torch.as_tensor(data.tgt_train[:8, :-1]).long()
    with torch.no_grad():
        memory, states = model.encode(src)
        fused = model._decode_teacher_forced(tgt_in, states, memory, False)
        loop = model._decode_loop(tgt_in, states, memory, False, 1.0)
    torch.testing.assert_close(fused, loop, rtol=1e-4, atol=1e-5)


def test_intermediate_probability_mixes_truth_and_predictions(keras, data):
    model = _model(keras, data)
    src = torch.as_tensor(data.src_train[:32])
    tgt_in = torch.as_tensor(data.tgt_train[:32, :-1]).long()
    with torch.no_grad():
        model.teacher_forcing = 1.0
        full = model((src, tgt_in), training=True)
        model.teacher_forcing = 0.0
        free = model((src, tgt_in), training=True)
        model.teacher_forcing = 0.5
        torch.manual_seed(0)
        mixed = model((src, tgt_in), training=True)
    same_as_full = torch.isclose(mixed, full, atol=1e-6).all(-1).all(-1)
    same_as_free = torch.isclose(mixed, free, atol=1e-6).all(-1).all(-1)
    # Some sequences were fed a prediction somewhere (differ from full), some a ground truth token
    # that the model would not have predicted (differ from free running).
    assert not bool(same_as_full.all()) and not bool(same_as_free.all())
    # Evaluation mode ignores the probability: always teacher forced.
    with torch.no_grad():
        evaluated = model((src, tgt_in), training=False)
    torch.testing.assert_close(evaluated, full, rtol=1e-4, atol=1e-5)


def test_sampling_mode(keras, data):
    model = _model(keras, data, sampling="sample", teacher_forcing=0.0)
    history = model.fit(data.src_train, data.tgt_train, epochs=1, batch_size=32, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    with pytest.raises(ValueError, match="sampling"):
        _model(keras, data, sampling="beam")
