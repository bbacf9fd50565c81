"""Every example of docs/tasks.md runs (each ```python block after the first, which is a sketch)."""
from __future__ import annotations

import pathlib
import re

import pytest

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "tasks.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
EXAMPLES = BLOCKS[1:]  # the first block is the three-line outline with undefined x, y


def test_one_example_per_task():
    text = "\n".join(EXAMPLES)
    for task_word in ("Binary", "Multi-class", "Text", "Multi-label", "Regression", "Multi-output", "Images",
                      "Fine-tuning"):
        assert f"## {task_word}" in DOC.read_text(), task_word
    assert len(EXAMPLES) == 8 and text.count("tasks.build(") == 8


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_example_runs(index, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    exec(compile(EXAMPLES[index], f"docs/tasks.md example {index + 1}", "exec"), {"__name__": "__docs__"})
    assert "keras.tasks: inferred choices" in capsys.readouterr().out
