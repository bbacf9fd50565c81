"""Each inference rule of kerastorch.tasks.inference, alone: task from targets, input type, class weights, split."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from kerastorch.tasks import api, inference


@pytest.mark.parametrize("y, reason", [
    (np.array([0, 1, 1, 0, 1]), "two distinct values"),
    (np.array([True, False, True, True]), "two distinct values"),
    (np.array([0.0, 1.0, 1.0, 0.0]), "two distinct values"),
    (np.array([3, 7, 7, 3]), "two distinct values"),
    (np.array([[0], [1], [1], [0]]), "two distinct values"),
    (torch.tensor([0, 1, 0, 1]), "two distinct values"),
])
def test_binary_targets(y, reason):
    info = inference.infer_target(y)
    assert (info.task, info.n_outputs) == ("binary", 1)
    assert reason in info.reason


def test_binary_non_01_labels_are_encoded():
    info = inference.infer_target(np.array([3, 7, 7, 3]))
    assert info.class_names == [3, 7]
    np.testing.assert_array_equal(inference.encode_targets(info, np.array([7, 3])).ravel(), [1.0, 0.0])


def test_multiclass_from_ids_one_hot_and_strings():
    info = inference.infer_target(np.array([0, 1, 2, 2, 1, 0, 2, 1]))
    assert (info.task, info.n_outputs, info.one_hot) == ("multiclass", 3, False)
    assert info.counts == [2, 3, 3]
    one_hot = np.eye(3)[[0, 1, 2, 1, 0]]
    info = inference.infer_target(one_hot)
    assert (info.task, info.n_outputs, info.one_hot) == ("multiclass", 3, True)
    info = inference.infer_target(np.array(["cat", "dog", "bird", "dog"]))
    assert (info.task, info.class_names) == ("multiclass", ["bird", "cat", "dog"])
    np.testing.assert_array_equal(inference.encode_targets(info, ["dog", "bird"]), [2, 0])


def test_string_binary_and_unknown_label():
    info = inference.infer_target(["yes", "no", "no", "yes"])
    assert info.task == "binary" and info.class_names == ["no", "yes"]
    with pytest.raises(ValueError, match="'maybe' was not among the classes"):
        inference.encode_targets(info, ["maybe"])


def test_multilabel_and_multi_output_regression():
    y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [0, 0, 0]])
    info = inference.infer_target(y)
    assert (info.task, info.n_outputs) == ("multilabel", 3)
    info = inference.infer_target(np.random.default_rng(0).normal(size=(10, 2)))
    assert (info.task, info.n_outputs) == ("regression", 2)
    assert info.mean.shape == (2,) and info.variance.shape == (2,)


def test_regression_from_reals_and_many_whole_numbers():
    assert inference.infer_target(np.linspace(0.1, 3.3, 20)).task == "regression"
    many = np.arange(25, 25 + 60).astype("float64")  # like diabetes: whole numbers, a quantity
    info = inference.infer_target(many)
    assert info.task == "regression" and "60 distinct whole-number values" in info.reason


def test_ambiguous_integer_targets_name_the_argument():
    ratings = np.array([1, 2, 3, 4, 5, 3, 2, 4, 5, 1])
    with pytest.raises(ValueError, match=r"task='multiclass'.*task='regression'"):
        inference.infer_target(ratings)
    assert inference.infer_target(ratings, task="regression").task == "regression"
    info = inference.infer_target(ratings, task="multiclass")
    assert info.task == "multiclass" and info.class_names == [1, 2, 3, 4, 5]
    np.testing.assert_array_equal(inference.encode_targets(info, [1, 5]), [0, 4])


@pytest.mark.parametrize("y, task, match", [
    (np.array([0, 1, 2]), "binary", "two classes"),
    (np.array([0, 1, 2, 1]), "sorted", "must be one of"),
    (np.array([4, 4, 4]), None, "nothing to learn"),
    (None, None, "received y=None"),
    ([np.zeros(3), np.ones(3)], None, "one target array"),
    (np.eye(3), "binary", "shape"),
    (np.full((4, 2), 0.5), "multilabel", "0/1 columns"),
])
def test_target_errors(y, task, match):
    with pytest.raises(ValueError, match=match):
        inference.infer_target(y, task)


def test_class_weights_rules():
    balanced = inference.infer_target(np.array([0, 1] * 10))
    assert inference.class_weights(balanced)[0] is None
    skewed = inference.infer_target(np.array([0] * 30 + [1] * 10))
    weights, why = inference.class_weights(skewed)
    assert weights == pytest.approx({0: 40 / 60, 1: 40 / 20}) and "3.0x" in why
    assert inference.class_weights(skewed, None)[0] is None
    assert inference.class_weights(skewed, {0: 1, 1: 5})[0] == {0: 1.0, 1: 5.0}
    assert inference.class_weights(balanced, "balanced")[0] == pytest.approx({0: 1.0, 1: 1.0})
    regression = inference.infer_target(np.linspace(0, 1, 10) + 0.01)
    assert inference.class_weights(regression) == (None, "not used (regression)")
    with pytest.raises(ValueError, match="binary and multi-class"):
        inference.class_weights(regression, "balanced")
    with pytest.raises(ValueError, match="'auto', 'balanced', None or a dict"):
        inference.class_weights(skewed, "heavy")


def test_input_types(tmp_path):
    assert inference.infer_input_type(np.zeros((4, 3))) == "tabular"
    assert inference.infer_input_type({"a": [1.0, 2.0], "b": ["x", "y"]}) == "tabular"
    assert inference.infer_input_type(["a text", "another"]) == "text"
    assert inference.infer_input_type(np.array([["a text"], ["b"]])) == "text"
    assert inference.infer_input_type(np.zeros((2, 8, 8, 3))) == "image"
    assert inference.infer_input_type(np.zeros((2, 8, 8), dtype="uint8")) == "image"
    assert inference.infer_input_type(str(tmp_path)) == "image"
    assert inference.infer_input_type(np.zeros((4, 3)), "image") == "image"
    with pytest.raises(ValueError, match="input_type='image'"):
        inference.infer_input_type(np.zeros((2, 8, 8)))
    with pytest.raises(ValueError, match="must be one of"):
        inference.infer_input_type(np.zeros((4, 3)), "audio")


def test_split_rules():
    classes = inference.infer_target(np.array([0, 1] * 10))
    assert api._choose_split(classes, np.array([0, 1] * 10), "auto")[0] == "stratified"
    trend = np.linspace(0, 10, 50) + 0.01
    info = inference.infer_target(trend)
    kind, why = api._choose_split(info, trend, "auto")
    assert kind == "last" and "time-ordered" in why
    shuffled = np.random.default_rng(0).permutation(trend)
    assert api._choose_split(info, shuffled, "auto")[0] == "random"
    assert api._choose_split(info, shuffled, "last") == ("last", "last (given)")
    with pytest.raises(ValueError, match="`split` must be one of"):
        api._choose_split(info, shuffled, "kfold")
