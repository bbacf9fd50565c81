"""``kerastorch/saving`` holds no per-layer knowledge: no public layer class of ``kerastorch.layers`` is
named there, as an identifier or inside a string (the knowledge lives on the layers' hooks).

Only the base class ``Layer`` may appear (``isinstance(x, Layer)`` is how a generic walker tells a
Keras layer from a plain torch module). Comments are not checked; docstrings and messages are.
"""
from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import kerastorch
from kerastorch import layers

SAVING_DIR = Path(kerastorch.__file__).parent / "saving"
ALLOWED = {"Layer"}


def _layer_class_names() -> set[str]:
    names = set()
    for attr, value in vars(layers).items():
        if isinstance(value, type) and issubclass(value, layers.Layer) and not attr.startswith("_"):
            names.add(attr)
            names.add(value.__name__)
    return names - ALLOWED


def _mentions(path: Path, names: set[str]) -> list[str]:
    found = []
    source = path.read_text()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in names:
            found.append(f"{path.name}:{tok.start[0]} identifier {tok.string}")
        elif tok.type == tokenize.STRING:
            for word in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", tok.string):
                if word in names:
                    found.append(f"{path.name}:{tok.start[0]} string mentions {word}")
    return found


def test_the_name_list_is_the_real_one():
    names = _layer_class_names()
    assert {"LSTM", "Bidirectional", "TimeDistributed", "MultiHeadAttention", "Conv2D", "InputLayer",
            "Add", "Dense"} <= names
    assert len(names) > 100


def test_saving_names_no_layer_class():
    names = _layer_class_names()
    files = sorted(SAVING_DIR.rglob("*.py"))
    assert len(files) >= 8
    found = [hit for path in files for hit in _mentions(path, names)]
    assert not found, "\n".join(found)


def test_the_check_sees_identifiers_and_strings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('# LSTM in a comment is fine\nx = isinstance(y, Bidirectional)\nmsg = "an LSTM cell"\n')
    assert _mentions(sample, {"LSTM", "Bidirectional"}) == ["sample.py:2 identifier Bidirectional",
                                                            "sample.py:3 string mentions LSTM"]
