"""Every ```python block of docs/torch_ecosystem.md runs on its own (in a temporary folder); a block whose
first line is ``# requires: pkg ...`` is skipped when one of those optional packages is missing."""
from __future__ import annotations

import importlib.util
import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[1] / "docs" / "torch_ecosystem.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
# the blocks that train a transformer, compile with inductor or run the ONNX exporter
_SLOW = {"TransformerEncoderLayer", "torch.compile(", 'format="onnx"'}


def test_page_has_the_sections_and_examples():
    text = DOC.read_text()
    for heading in ("## A kerastorch model in torch code", "### state_dict keys", "### torch.compile, torch.export",
                    "## torch modules inside a kerastorch model", "## torch optimizers, schedulers and metrics"):
        assert heading in text, heading
    assert len(BLOCKS) == 9


def _params():
    for i, block in enumerate(BLOCKS):
        marks = [pytest.mark.slow] if any(word in block for word in _SLOW) else []
        yield pytest.param(i, marks=marks, id=f"block{i + 1}")


@pytest.mark.parametrize("index", list(_params()))
def test_block_runs(index, tmp_path, monkeypatch, capsys):
    block = BLOCKS[index]
    first = block.splitlines()[0]
    if first.startswith("# requires:"):
        for package in first.split(":", 1)[1].split():
            if importlib.util.find_spec(package) is None:
                pytest.skip(f"{package} is not installed")
    monkeypatch.chdir(tmp_path)
    import kerastorch
    kerastorch.backend.clear_session()  # the printed names in the page assume a fresh session
    exec(compile(block, f"docs/torch_ecosystem.md block {index + 1}", "exec"), {"__name__": "__docs__"})
