"""The most used layers document themselves the Keras way, and their examples run."""
from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

import kerastorch as keras

DOCUMENTED = ["Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "LSTM", "GRU", "SimpleRNN",
              "BatchNormalization", "LayerNormalization", "Dropout", "Embedding", "MultiHeadAttention",
              "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "Flatten", "Reshape", "Concatenate",
              "Add", "Activation", "Bidirectional"]


@pytest.mark.parametrize("name", DOCUMENTED)
def test_docstring_sections_and_example(name):
    doc = getattr(keras.layers, name).__doc__ or ""
    summary = doc.strip().splitlines()[0] if doc.strip() else ""
    assert summary.endswith(".") and len(summary) <= 110, f"{name}: one-line summary expected, got {summary!r}"
    for section in ("Args:", "Call arguments:", "Input shape:", "Output shape:", "Example:"):
        assert section in doc, f"{name}: no {section!r} section"
    test = doctest.DocTestParser().get_doctest(doc, {"keras": keras, "np": np, "torch": torch}, name, None, 0)
    assert test.examples, f"{name}: the example has no doctest lines"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    keras.utils.set_random_seed(0)
    result = runner.run(test, out=lambda text: None)
    assert result.failed == 0, f"{name}: {result.failed} failing example line(s)"
