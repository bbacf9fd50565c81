"""keras.tree against real Keras 3.15.1's keras.tree on nested dict/list/tuple/namedtuple inputs."""
from __future__ import annotations

import collections
import warnings

import pytest

import kerastorch

Point = collections.namedtuple("Point", ["y", "x"])

STRUCTURES = [
    1,
    None,
    [1, 2, 3],
    [[1, 2, 3], [4, [5], [[6]]]],
    (1, (2, None), [3]),
    {"b": 1, "a": [2, (3, 4)], "c": None},
    {"z": [1, (2, 3)], "a": {"x": None, "y": Point(4, [5])},
     "m": collections.OrderedDict([("q", 6), ("p", 7)])},
    [{"a": 1, "b": 2}, ({"c": 3},)],
    Point(y={"k": 1}, x=(2, 3)),
    collections.defaultdict(list, {"b": [1], "a": [2]}),
    collections.deque([1, [2, 3]]),
    [],
    {},
]


def _count(structure, tree):
    return len(tree.flatten(structure))


@pytest.mark.parametrize("structure", STRUCTURES, ids=[str(i) for i in range(len(STRUCTURES))])
def test_structure_functions_match_keras(real_keras, structure):
    k, t = real_keras.tree, kerastorch.tree
    assert t.is_nested(structure) == k.is_nested(structure)
    assert t.flatten(structure) == k.flatten(structure)
    assert t.flatten_with_path(structure) == k.flatten_with_path(structure)
    assert t.map_structure(lambda v: ("leaf", v), structure) == k.map_structure(lambda v: ("leaf", v), structure)
    assert t.map_structure(str, structure, none_is_leaf=False) == \
        k.map_structure(str, structure, none_is_leaf=False)
    assert t.lists_to_tuples(structure) == k.lists_to_tuples(structure)
    leaves = list(range(100, 100 + _count(structure, k)))
    packed = t.pack_sequence_as(structure, leaves)
    assert packed == k.pack_sequence_as(structure, leaves)
    assert type(packed) is type(k.pack_sequence_as(structure, leaves))
    seen_t, seen_k = [], []
    assert t.traverse(seen_t.append, structure) == k.traverse(seen_k.append, structure)
    assert seen_t == seen_k
    seen_t, seen_k = [], []
    t.traverse(seen_t.append, structure, top_down=False)
    k.traverse(seen_k.append, structure, top_down=False)
    assert seen_t == seen_k


def test_traverse_replacement_and_map_to_none(real_keras):
    k, t = real_keras.tree, kerastorch.tree
    structure = [(1, 2), [3], {"a": 4}]
    assert t.traverse(lambda x: t.MAP_TO_NONE if x == 3 else None, structure) == \
        k.traverse(lambda x: k.MAP_TO_NONE if x == 3 else None, structure)
    assert t.traverse(lambda x: "pair" if isinstance(x, tuple) else None, structure) == \
        k.traverse(lambda x: "pair" if isinstance(x, tuple) else None, structure)


def test_multi_structure_and_up_to(real_keras):
    k, t = real_keras.tree, kerastorch.tree
    a, b = {"x": [1, 2], "y": 3}, {"x": [10, 20], "y": 30}
    assert t.map_structure(lambda u, v: u + v, a, b) == k.map_structure(lambda u, v: u + v, a, b)
    shallow, deep = [None, [None, None]], [[1, 1], [2, 2]]
    assert t.map_structure_up_to(shallow, str, deep) == k.map_structure_up_to(shallow, str, deep)
    assert t.map_structure_up_to([None, None], len, deep) == k.map_structure_up_to([None, None], len, deep)
    shapes = {"a": (None, 3), "b": [(1, 2), (3,)]}
    assert t.map_shape_structure(len, shapes) == k.map_shape_structure(len, shapes)


@pytest.mark.parametrize("a,b", [
    ([1, (2, 3)], [4, (5, 6)]),
    ([1, (2, 3)], [4, [5, 6]]),
    ({"a": 1}, {"b": 1}),
    ((1, 2), (1, 2, 3)),
    (Point(1, 2), (1, 2)),
    ({"a": 1, "b": 2}, collections.OrderedDict([("b", 2), ("a", 1)])),
])
def test_assertions_agree_with_keras(real_keras, a, b):
    outcomes = []
    for tree in (real_keras.tree, kerastorch.tree):
        result = []
        for check in (tree.assert_same_structure, tree.assert_same_paths):
            try:
                check(a, b)
                result.append(None)
            except Exception as error:  # noqa: BLE001 - the exception type is what is compared
                result.append(type(error).__name__)
        outcomes.append(result)
    assert outcomes[0] == outcomes[1]


def test_check_types_is_deprecated_like_keras():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kerastorch.tree.assert_same_structure([1], [2], check_types=False)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)


def test_nested_dicts_are_all_sorted():
    # Documented difference: Keras 3.15 on torch sorts only the outermost dict on each path;
    # kerastorch sorts every plain dict, as Keras's docs and its optree backends do.
    assert kerastorch.tree.flatten({"b": {"y": 1, "x": 2}, "a": 0}) == [0, 2, 1]
    assert kerastorch.tree.pack_sequence_as({"b": {"y": 1, "x": 2}}, [5, 6]) == {"b": {"x": 5, "y": 6}}


def test_errors_are_clear():
    with pytest.raises(ValueError, match="at least one structure"):
        kerastorch.tree.map_structure(str)
    with pytest.raises(ValueError, match="same nested structure"):
        kerastorch.tree.assert_same_structure([1, [2]], [1, 2])
    with pytest.raises(ValueError, match="don't have the same paths"):
        kerastorch.tree.assert_same_paths({"a": 1}, {"b": 1})
    with pytest.raises(ValueError, match="some arguments are None"):
        kerastorch.tree.map_structure(lambda a, b: a, [None], [1], none_is_leaf=False)


def test_errors_of_the_mapped_function_propagate_unchanged():
    def boom(value):
        raise ValueError(f"bad leaf {value}")

    with pytest.raises(ValueError, match="^bad leaf 1$"):
        kerastorch.tree.map_structure(boom, [1, 2])
    with pytest.raises(KeyError):
        kerastorch.tree.map_structure(lambda v: {}[v], {"a": 1})
