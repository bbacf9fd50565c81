"""The Seq2Seq model: it learns with fit, both data layouts, masking, every attention and cell, saving."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from kerastorch.seq2seq import LinearDecay, Seq2Seq, SequenceAccuracy, TeacherForcingScheduler, datasets

FORMATS = ["dd.mm.yyyy", "m/d/yy", "mon d, yyyy", "d month yyyy"]


def _model(keras, data, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    kwargs.setdefault("embedding_dim", 8)
    kwargs.setdefault("units", 16)
    return Seq2Seq(data.src_vocab.size, data.tgt_vocab.size, max_output_length=data.max_target_length, **kwargs)


def test_a_small_run_learns_the_date_task(keras):
    """About 15 s on 2 cores: 2000 pairs of four surface forms, greedy exact match on held-out pairs."""
    data = datasets.dates(2000, 300, seed=0, formats=FORMATS)
    model = _model(keras, data, embedding_dim=16, units=64, attention="dot")
    model.compile(optimizer=keras.optimizers.Adam(1e-2), metrics=["accuracy"])
    before = model.sequence_accuracy(data.src_test, data.tgt_test)
    history = model.fit(data.src_train, data.tgt_train, epochs=5, batch_size=32, verbose=0,
                        callbacks=[SequenceAccuracy(data.src_test, data.tgt_test, every=5),
                                   TeacherForcingScheduler(LinearDecay(decay_steps=5, minimum=0.8))])
    after = model.sequence_accuracy(data.src_test, data.tgt_test)
    assert before == 0.0
    assert history.history["loss"][-1] < 0.25 * history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.95
    assert history.history["val_sequence_accuracy"] == [after]
    assert after >= 0.8, after
    # Strings in, strings out.
    pred = model.decode(data.src_test[:20])
    texts = data.tgt_vocab.decode_batch(pred)
    assert sum(t == ref for t, (_, ref) in zip(texts, data.test_pairs[:20])) >= 14


def test_both_data_layouts_give_the_same_training(keras):
    data = datasets.dates(128, 32, seed=0, formats=FORMATS)
    src, tgt = data.src_train, data.tgt_train
    losses = []
    for shifted in (False, True):
        keras.backend.clear_session()
        model = _model(keras, data)
        model.compile(optimizer="adam", metrics=["accuracy"])
        if shifted:
            history = model.fit((src, tgt[:, :-1]), tgt[:, 1:], epochs=2, batch_size=32, shuffle=False, verbose=0)
            ev = model.evaluate((data.src_test, data.tgt_test[:, :-1]), data.tgt_test[:, 1:], verbose=0)
        else:
            history = model.fit(src, tgt, epochs=2, batch_size=32, shuffle=False, verbose=0)
            ev = model.evaluate(data.src_test, data.tgt_test, verbose=0)
        losses.append((history.history["loss"], ev))
    np.testing.assert_allclose(losses[0][0], losses[1][0], rtol=1e-5)
    np.testing.assert_allclose(losses[0][1], losses[1][1], rtol=1e-5)


def test_validation_data_in_either_layout(keras):
    data = datasets.dates(128, 32, seed=0, formats=FORMATS)
    model = _model(keras, data)
    model.compile(optimizer="adam")
    history = model.fit(data.src_train, data.tgt_train, epochs=1, batch_size=32, verbose=0,
                        validation_data=(data.src_test, data.tgt_test))
    assert set(history.history) == {"loss", "teacher_forcing", "val_loss"}


def test_loss_is_masked_over_target_padding(keras):
    data = datasets.dates(64, 16, seed=0)
    model = _model(keras, data)
    model.compile()
    tgt = data.tgt_test.copy()
    tgt[::2, 5:] = 0
    tgt[::2, 5] = datasets.END_ID  # shorter targets in half of the rows
    loss = model.evaluate(data.src_test, tgt, verbose=0)
    with torch.no_grad():
        logits = model((torch.as_tensor(data.src_test), torch.as_tensor(tgt[:, :-1])))
    target = torch.as_tensor(tgt[:, 1:]).long()
    ce = torch.nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="none")
    mask = target != 0
    assert logits._keras_mask.tolist() == mask.tolist()
    assert loss == pytest.approx(float((ce * mask).sum() / mask.sum()), rel=1e-5)
    # Changing logits at padded positions cannot change the loss: the padded targets carry no weight.
    assert loss != pytest.approx(float(ce.mean()), rel=1e-5)


def test_source_padding_is_masked(keras):
    data = datasets.dates(64, 16, seed=0)
    src = torch.as_tensor(data.src_test)
    tgt_in = torch.as_tensor(data.tgt_test[:, :-1])
    padded = torch.cat([src, torch.zeros(src.shape[0], 7, dtype=src.dtype)], dim=1)
    for attention in ("dot", "general", "additive"):
        for cell in ("lstm", "gru"):
            model = _model(keras, data, attention=attention, cell=cell)
            with torch.no_grad():
                a = model((src, tgt_in))
                b = model((padded, tgt_in))
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("attention", ["dot", "luong", "general", "additive", "bahdanau", None])
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_every_attention_and_cell_trains_and_decodes(keras, attention, cell):
    data = datasets.dates(64, 8, seed=0, formats=FORMATS)
    model = _model(keras, data, attention=attention, cell=cell, bidirectional=cell == "lstm", dropout=0.1)
    model.compile(optimizer="adam", metrics=["accuracy"])
    history = model.fit(data.src_train, data.tgt_train, epochs=1, batch_size=32, verbose=0,
                        callbacks=[TeacherForcingScheduler(0.5)])
    assert np.isfinite(history.history["loss"][0])
    assert all(np.isfinite(w).all() for w in model.get_weights())
    ids = model.predict(data.src_test, verbose=0)
    assert ids.shape == (8, data.max_target_length)
    beams = model.decode(data.src_test, beam_width=2)
    assert beams.shape == ids.shape


def test_weights_save_and_load(keras, tmp_path):
    data = datasets.dates(64, 8, seed=0, formats=FORMATS)
    model = _model(keras, data, attention="additive")
    model.compile(optimizer="adam")
    model.fit(data.src_train, data.tgt_train, epochs=1, batch_size=32, verbose=0)
    path = str(tmp_path / "seq2seq.weights.h5")
    model.save_weights(path)
    clone = Seq2Seq.from_config(model.get_config())
    clone.build(None)
    clone.load_weights(path)
    np.testing.assert_array_equal(clone.decode(data.src_test, beam_width=3), model.decode(data.src_test, beam_width=3))
    for a, b in zip(clone.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_config_round_trip_and_errors(keras):
    model = Seq2Seq(30, 12, units=32, attention="bahdanau", cell="gru", teacher_forcing=0.7, name="translator")
    config = model.get_config()
    assert config["attention"] == "bahdanau" and config["cell"] == "gru" and config["teacher_forcing"] == 0.7
    clone = Seq2Seq.from_config(config)
    assert clone.get_config() == config
    with pytest.raises(ValueError, match="attention"):
        Seq2Seq(30, 12, attention="multiplicative")
    with pytest.raises(ValueError, match="even"):
        Seq2Seq(30, 12, units=33)
    with pytest.raises(ValueError, match="cell"):
        Seq2Seq(30, 12, cell="rnn")
    with pytest.raises(ValueError, match="tgt_in"):
        model(np.ones((2, 5), "int32"))


def test_model_summary_and_weights_are_keras_like(keras, capsys):
    model = Seq2Seq(30, 12, embedding_dim=8, units=16, attention="general")
    model.build(None)
    names = [name for name, _ in model.named_parameters()]
    assert "source_embedding.embeddings" in names and "output_projection.kernel" in names
    assert model.count_params() == sum(w.size for w in model.get_weights())
    model.summary()
    assert "decoder_rnn" in capsys.readouterr().out
