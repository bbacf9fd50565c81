"""The synthetic translation datasets: determinism, encoding, held-out split, correct targets."""
from __future__ import annotations

import datetime

import numpy as np
import pytest

from kerastorch.seq2seq import datasets


def test_dates_are_deterministic_given_the_seed():
    a = datasets.dates(300, 50, seed=7)
    b = datasets.dates(300, 50, seed=7)
    c = datasets.dates(300, 50, seed=8)
    for name in ("src_train", "tgt_train", "src_test", "tgt_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.train_pairs == b.train_pairs
    assert a.train_pairs != c.train_pairs
    assert datasets.date_pairs(20, seed=3) == datasets.date_pairs(20, seed=3)


def test_date_arrays_are_padded_ids_with_start_and_end_tokens():
    data = datasets.dates(400, 100, seed=0)
    (src_train, tgt_train), (src_test, tgt_test) = data.load_data()
    assert src_train.shape == (400, data.max_source_length) and src_test.shape[0] == 100
    assert src_train.dtype == np.int32 and tgt_train.dtype == np.int32
    # ISO dates: 10 characters, plus start and end.
    assert tgt_train.shape[1] == 12 and data.max_target_length == 11
    assert (tgt_train[:, 0] == datasets.START_ID).all()
    assert (tgt_train[:, -1] == datasets.END_ID).all()
    # Sources carry no special tokens other than post-padding.
    assert not np.isin(src_train, [datasets.START_ID, datasets.END_ID, datasets.UNK_ID]).any()
    for row in src_train[:50]:
        length = int((row != 0).sum())
        assert (row[:length] != 0).all() and (row[length:] == 0).all()


def test_arrays_decode_back_to_the_pairs():
    data = datasets.dates(200, 20, seed=1)
    for (src, tgt), src_ids, tgt_ids in zip(data.train_pairs, data.src_train, data.tgt_train):
        assert data.src_vocab.decode(src_ids) == src
        assert data.tgt_vocab.decode(tgt_ids) == tgt
    assert data.decode_targets(data.tgt_test) == [t for _, t in data.test_pairs]
    np.testing.assert_array_equal(data.encode_sources([s for s, _ in data.test_pairs]), data.src_test)


def test_test_pairs_are_held_out():
    data = datasets.dates(2000, 300, seed=0)
    train_sources = {s for s, _ in data.train_pairs}
    assert not any(s in train_sources for s, _ in data.test_pairs)
    assert len({s for s, _ in data.test_pairs}) == 300


def test_targets_are_the_iso_dates_of_the_sources():
    for src, tgt in datasets.date_pairs(500, seed=2):
        date = datetime.date.fromisoformat(tgt)
        assert datetime.date(1930, 1, 1) <= date <= datetime.date(2029, 12, 31)
        text = src.lower()
        # Every surface form names the year (4 digits, 2 digits or in words).
        assert str(date.year) in text or f"{date.year % 100:02d}" in text or "thousand" in text \
            or "nineteen" in text or "twenty" in text


@pytest.mark.parametrize("fmt, expected", [
    ("m/d/yy", "3/23/94"),
    ("mm/dd/yyyy", "03/23/1994"),
    ("dd.mm.yyyy", "23.03.1994"),
    ("mon d, yyyy", "mar 23, 1994"),
    ("month d, yyyy", "march 23, 1994"),
    ("d mon yy", "23 mar 94"),
    ("the dth of month yyyy", "the 23rd of march 1994"),
    ("ordinal of month yyyy", "twenty-third of march 1994"),
    ("spelled", "the twenty-third of march, nineteen ninety-four"),
    ("weekday, month d, yyyy", "wednesday, march 23, 1994"),
])
def test_surface_forms(fmt, expected):
    assert datasets.format_date(datetime.date(1994, 3, 23), fmt) == expected


def test_case_and_two_digit_years():
    assert datasets.format_date(datetime.date(1994, 3, 23), "mon d, yyyy", case="title") == "Mar 23, 1994"
    assert datasets.format_date(datetime.date(2007, 11, 2), "m/d/yy") == "11/2/07"
    assert datasets.format_date(datetime.date(2007, 11, 2), "month dth, 'yy") == "november 2nd, '07"
    with pytest.raises(ValueError, match="Unknown date format"):
        datasets.format_date(datetime.date(2000, 1, 1), "yyyymmdd")
    with pytest.raises(ValueError, match="Unknown date format"):
        datasets.dates(10, 2, formats=["nope"])


def test_formats_can_be_restricted():
    data = datasets.dates(100, 10, seed=0, formats=["dd.mm.yyyy"])
    assert all(len(s) == 10 and s[2] == "." for s, _ in data.train_pairs)


def test_vocabulary():
    vocab = datasets.Vocabulary("abc")
    assert vocab.size == len(vocab) == 7
    assert vocab.encode("cab", add_start=True, add_end=True) == [1, 6, 4, 5, 2]
    assert vocab.encode("az") == [4, datasets.UNK_ID]
    assert vocab.decode([1, 6, 4, 2, 5, 5]) == "ca"
    assert vocab.decode([6, 4, 2, 5], stop_at_end=False) == "cab"
    batch = vocab.encode_batch(["a", "abc"], add_end=True)
    np.testing.assert_array_equal(batch, [[4, 2, 0, 0], [4, 5, 6, 2]])
    assert vocab.decode_batch(batch) == ["a", "abc"]
    with pytest.raises(ValueError, match="maxlen"):
        vocab.encode_batch(["abcabc"], maxlen=3)
    assert datasets.Vocabulary.from_config(vocab.get_config()).id_to_token == vocab.id_to_token


def test_numbers():
    assert datasets.spell_number(312005) == "three hundred and twelve thousand and five"
    assert datasets.spell_number(312005, use_and=False) == "three hundred twelve thousand five"
    assert datasets.spell_number(40) == "forty"
    assert datasets.spell_number(1000000) == "one million"
    assert datasets.spell_number(0) == "zero"
    for _words, digits in datasets.number_pairs(200, seed=0, max_digits=6):
        assert len(digits) <= 6 and digits == str(int(digits))
    data = datasets.numbers(300, 30, seed=0, max_digits=4)
    assert data.tgt_vocab.decode(data.tgt_train[0]) == data.train_pairs[0][1]
    with pytest.raises(ValueError):
        datasets.spell_number(-1)


def test_impossible_requests_raise():
    with pytest.raises(ValueError, match="distinct"):
        datasets.numbers(50, 10, max_digits=1)
    with pytest.raises(ValueError):
        datasets.dates(0, 10)
