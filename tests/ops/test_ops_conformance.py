"""kerastorch.ops against real Keras 3.15.1 on torch: names, signatures, values, dtypes, shapes.

``CASES`` holds one call per public ``keras.ops`` / ``keras.ops.image`` name, written as a
function of the ops module so the very same call (same NumPy inputs) runs on both sides;
``test_every_keras_name_has_a_case`` keeps the table complete. Outputs are compared leaf by
leaf: dtype, shape, and values (1e-5 relative for floats, exact for ints and bools).
"""
from __future__ import annotations

import inspect
import os

import numpy as np
import pytest
import torch

from kerastorch import ops as kt_ops


@pytest.fixture(scope="module")
def K():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "torch":
        pytest.skip("the oracle needs KERAS_BACKEND=torch")
    return keras.ops


# ---------------------------------------------------------------- inputs (fixed, shared by both sides)

_rng = np.random.default_rng(1234)


def _f(*shape):
    return _rng.normal(size=shape).astype("float32")


F23, F34, F234, F3, F4, F6 = _f(2, 3), _f(3, 4), _f(2, 3, 4), _f(3), _f(4), _f(6)
P23 = np.abs(F23) + 0.1
U23 = np.clip(F23 / 4, -0.9, 0.9).astype("float32")
I23 = _rng.integers(-5, 6, size=(2, 3)).astype("int32")
IP23 = _rng.integers(1, 9, size=(2, 3)).astype("int32")
B23 = F23 > 0
N23 = F23.copy()
N23[0, 1] = np.nan
N23[1, 2] = np.nan
SPD = (F34 @ F34.T + 3 * np.eye(3)).astype("float32")
TRI = np.triu(SPD).astype("float32")
IMG = _rng.uniform(size=(2, 8, 10, 3)).astype("float32")
IMG_CF = np.moveaxis(IMG, -1, 1).copy()
SEQ = _f(2, 8, 3)
K3 = _f(3, 3, 4)  # conv1d kernel (k, in, out)
K2D = _f(3, 3, 3, 4)  # conv2d kernel
DW = _f(3, 3, 3, 2)
PW = _f(1, 1, 6, 4)
Q = _f(2, 4, 2, 8)
SIG = _f(2, 64)
CTC_LOGITS = _f(2, 6, 5)
CTC_TARGET = np.array([[1, 2, 0], [3, 3, 1]], dtype="int32")
C_RE, C_IM = _f(2, 4), _f(2, 4)
START_PTS = np.array([[0, 0], [9, 0], [0, 7], [9, 7]], dtype="float32")
END_PTS = np.array([[1, 0], [8, 1], [0, 6], [9, 7]], dtype="float32")
AFFINE = np.array([[1.1, 0.1, -1.0, -0.1, 0.9, 0.5, 0, 0], [0.9, 0, 1, 0, 1.2, -1, 0, 0]], dtype="float32")


def _cg(o):
    @o.custom_gradient
    def square_with_unit_grad(x):
        def grad(*args, upstream=None):
            return o.multiply(upstream, 1.0)
        return o.square(x), grad
    x = torch.tensor(F3, requires_grad=True)
    square_with_unit_grad(x).sum().backward()
    return x.grad


def _jvp(o):
    return o.jvp(lambda x: o.sin(x) * 2.0, (torch.tensor(F3),), (torch.ones(3),))


CASES = {
    # ---- arithmetic and dtype promotion (int32 + float32, bool + int, python scalars)
    "add": lambda o: [o.add(F23, I23), o.add(I23, 2), o.add(B23, I23), o.add(I23, 1.5)],
    "subtract": lambda o: [o.subtract(F23, I23), o.subtract(I23, 3)],
    "multiply": lambda o: [o.multiply(F23, I23), o.multiply(I23, B23)],
    "divide": lambda o: [o.divide(F23, P23), o.divide(I23, IP23)],
    "true_divide": lambda o: o.true_divide(I23, IP23),
    "divide_no_nan": lambda o: o.divide_no_nan(F23, np.where(B23, P23, 0).astype("float32")),
    "floor_divide": lambda o: [o.floor_divide(F23, P23), o.floor_divide(I23, IP23)],
    "mod": lambda o: [o.mod(F23, P23), o.mod(I23, IP23)],
    "fmod": lambda o: [o.fmod(F23, P23), o.fmod(I23, IP23)],
    "power": lambda o: [o.power(P23, F23), o.power(I23, 2)],
    "negative": lambda o: o.negative(I23),
    "abs": lambda o: [o.abs(F23), o.abs(I23)],
    "absolute": lambda o: o.absolute(F23),
    "fabs": lambda o: [o.fabs(F23), o.fabs(I23)],
    "sign": lambda o: o.sign(F23),
    "square": lambda o: [o.square(F23), o.square(I23)],
    "sqrt": lambda o: [o.sqrt(P23), o.sqrt(IP23)],
    "cbrt": lambda o: [o.cbrt(F23), o.cbrt(I23)],
    "exp": lambda o: [o.exp(F23), o.exp(I23)],
    "exp2": lambda o: [o.exp2(F23), o.exp2(I23)],
    "expm1": lambda o: o.expm1(F23),
    "log": lambda o: o.log(P23),
    "log1p": lambda o: o.log1p(P23),
    "log2": lambda o: o.log2(P23),
    "log10": lambda o: o.log10(P23),
    "logaddexp": lambda o: [o.logaddexp(F23, P23), o.logaddexp(I23, IP23)],
    "logaddexp2": lambda o: o.logaddexp2(F23, P23),
    "reciprocal": lambda o: o.reciprocal(P23),
    "sin": lambda o: o.sin(F23), "cos": lambda o: o.cos(F23), "tan": lambda o: o.tan(U23),
    "arcsin": lambda o: o.arcsin(U23), "arccos": lambda o: o.arccos(U23), "arctan": lambda o: o.arctan(F23),
    "arctan2": lambda o: [o.arctan2(F23, P23), o.arctan2(I23, IP23)],
    "sinh": lambda o: o.sinh(F23), "cosh": lambda o: o.cosh(F23), "tanh": lambda o: o.tanh(F23),
    "arcsinh": lambda o: o.arcsinh(F23), "arccosh": lambda o: o.arccosh(P23 + 1), "arctanh": lambda o: o.arctanh(U23),
    "sinc": lambda o: o.sinc(F23),
    "deg2rad": lambda o: o.deg2rad(F23), "rad2deg": lambda o: o.rad2deg(F23),
    "hypot": lambda o: [o.hypot(F23, P23), o.hypot(I23, IP23)],
    "heaviside": lambda o: o.heaviside(F23, P23),
    "i0": lambda o: o.i0(F23),
    "ldexp": lambda o: o.ldexp(F23, I23),
    "nextafter": lambda o: o.nextafter(F23, P23),
    "floor": lambda o: o.floor(F23 * 3), "ceil": lambda o: o.ceil(F23 * 3), "trunc": lambda o: o.trunc(F23 * 3),
    "round": lambda o: [o.round(F23 * 3), o.round(F23, decimals=1)],
    "maximum": lambda o: o.maximum(F23, I23), "minimum": lambda o: o.minimum(F23, I23),
    "fmax": lambda o: o.fmax(N23, F23), "fmin": lambda o: o.fmin(N23, F23),
    "clip": lambda o: [o.clip(F23, -0.5, 0.5), o.clip(I23, -1, 2)],
    "gcd": lambda o: o.gcd(I23, IP23), "lcm": lambda o: o.lcm(I23, IP23),
    "signbit": lambda o: o.signbit(F23),
    # ---- comparison and logic
    "equal": lambda o: o.equal(I23, 1), "not_equal": lambda o: o.not_equal(F23, I23),
    "less": lambda o: o.less(F23, 0.0), "less_equal": lambda o: o.less_equal(I23, IP23),
    "greater": lambda o: o.greater(F23, I23), "greater_equal": lambda o: o.greater_equal(I23, 0),
    "logical_and": lambda o: o.logical_and(B23, I23), "logical_or": lambda o: o.logical_or(B23, F23),
    "logical_xor": lambda o: o.logical_xor(B23, I23), "logical_not": lambda o: o.logical_not(B23),
    "isnan": lambda o: o.isnan(N23), "isinf": lambda o: o.isinf(F23 / 0.0), "isfinite": lambda o: o.isfinite(N23),
    "isneginf": lambda o: o.isneginf(F23 / 0.0), "isposinf": lambda o: o.isposinf(F23 / 0.0),
    "isreal": lambda o: o.isreal(F23),
    "isclose": lambda o: [o.isclose(F23, F23 + 1e-7), o.isclose(I23, IP23)],
    "allclose": lambda o: o.allclose(F23, F23 + 1e-3, atol=1e-2),
    "isin": lambda o: o.isin(I23, np.array([1, 2, 3], dtype="int32")),
    "nan_to_num": lambda o: o.nan_to_num(N23, nan=7.0),
    "where": lambda o: [o.where(B23, F23, I23), o.where(B23)],
    "bitwise_and": lambda o: o.bitwise_and(I23, IP23), "bitwise_or": lambda o: o.bitwise_or(I23, IP23),
    "bitwise_xor": lambda o: o.bitwise_xor(I23, IP23), "bitwise_invert": lambda o: o.bitwise_invert(I23),
    "bitwise_not": lambda o: o.bitwise_not(I23),
    "bitwise_left_shift": lambda o: o.bitwise_left_shift(IP23, 2),
    "bitwise_right_shift": lambda o: o.bitwise_right_shift(IP23, IP23 % 3),
    "left_shift": lambda o: o.left_shift(IP23, 1), "right_shift": lambda o: o.right_shift(IP23, 1),
    # ---- reductions and statistics
    "sum": lambda o: [o.sum(F234, axis=(0, 2)), o.sum(I23), o.sum(B23, axis=1, keepdims=True)],
    "mean": lambda o: [o.mean(F234, axis=1), o.mean(I23)],
    "max": lambda o: [o.max(F234, axis=-1), o.max(I23), o.max(F23, axis=0, keepdims=True)],
    "min": lambda o: [o.min(F234, axis=0), o.min(I23)],
    "amax": lambda o: o.amax(F23, axis=1), "amin": lambda o: o.amin(F23),
    "prod": lambda o: [o.prod(F23, axis=0), o.prod(I23)],
    "std": lambda o: o.std(F234, axis=1), "var": lambda o: o.var(F234, axis=(0, 1), keepdims=True),
    "all": lambda o: o.all(B23, axis=0), "any": lambda o: o.any(B23),
    "count_nonzero": lambda o: o.count_nonzero(I23, axis=1),
    "argmax": lambda o: o.argmax(F234, axis=1), "argmin": lambda o: o.argmin(F23),
    "cumsum": lambda o: [o.cumsum(F23, axis=1), o.cumsum(I23)],
    "cumprod": lambda o: o.cumprod(F23, axis=0),
    "average": lambda o: o.average(F23, axis=1, weights=P23[0]),
    "median": lambda o: [o.median(F234, axis=1), o.median(I23)],
    "quantile": lambda o: [o.quantile(F234, 0.3, axis=-1), o.quantile(F23, [0.25, 0.5], axis=1, keepdims=True),
                           o.quantile(F23, 0.5, method="nearest")],
    "percentile": lambda o: o.percentile(F23, [10.0, 90.0], axis=0),
    "ptp": lambda o: [o.ptp(F23), o.ptp(I23, axis=1)],
    "nanmax": lambda o: o.nanmax(N23, axis=1), "nanmin": lambda o: o.nanmin(N23),
    "nanargmax": lambda o: o.nanargmax(N23, axis=1), "nanargmin": lambda o: o.nanargmin(N23, axis=0),
    "nansum": lambda o: [o.nansum(N23, axis=0), o.nansum(I23)],
    "nanprod": lambda o: o.nanprod(N23, axis=1), "nanmean": lambda o: o.nanmean(N23, axis=1),
    "nanvar": lambda o: o.nanvar(N23, axis=1), "nanstd": lambda o: o.nanstd(N23),
    "nanmedian": lambda o: o.nanmedian(N23, axis=1),
    "nanquantile": lambda o: o.nanquantile(N23, 0.4, axis=1),
    "nanpercentile": lambda o: o.nanpercentile(N23, 40.0, axis=0),
    "nancumsum": lambda o: o.nancumsum(N23, axis=1), "nancumprod": lambda o: o.nancumprod(N23, axis=0),
    "bincount": lambda o: [o.bincount(np.array([0, 1, 1, 3], dtype="int32")),
                           o.bincount(np.array([0, 1, 1, 3], dtype="int32"), weights=F4, minlength=6)],
    "histogram": lambda o: o.histogram(F6, bins=4),
    "digitize": lambda o: o.digitize(F6, np.array([-1.0, 0.0, 1.0], dtype="float32")),
    "searchsorted": lambda o: o.searchsorted(np.sort(F6), F3, side="right"),
    "corrcoef": lambda o: o.corrcoef(F34),
    "correlate": lambda o: [o.correlate(F6, F3), o.correlate(F6, F3, mode="same"), o.correlate(F6, F3, mode="full")],
    "trapezoid": lambda o: [o.trapezoid(F23), o.trapezoid(F23, dx=0.5, axis=0)],
    "argpartition": lambda o: o.argpartition(I23, 1, axis=1),
    # ---- linear algebra (numpy flavour)
    "matmul": lambda o: [o.matmul(F23, F34), o.matmul(I23, F34)],
    "dot": lambda o: o.dot(F23, F34), "vdot": lambda o: o.vdot(F3, F3), "inner": lambda o: o.inner(F23, F23),
    "outer": lambda o: o.outer(F3, F4), "kron": lambda o: o.kron(F23, I23),
    "tensordot": lambda o: o.tensordot(F234, F34, axes=([1, 2], [0, 1])),
    "einsum": lambda o: o.einsum("ij,jk->ik", F23, F34),
    "cross": lambda o: o.cross(F23, P23),
    "trace": lambda o: o.trace(F34), "diag": lambda o: [o.diag(F3), o.diag(F34, k=1)],
    "diagonal": lambda o: o.diagonal(F234, axis1=1, axis2=2), "diagflat": lambda o: o.diagflat(F23, k=-1),
    "tril": lambda o: o.tril(F34, k=-1), "triu": lambda o: o.triu(F34),
    "vander": lambda o: o.vander(F3, N=4), "slogdet": lambda o: o.slogdet(SPD),
    # ---- creation
    "zeros": lambda o: o.zeros((2, 3), dtype="int32"), "ones": lambda o: o.ones((3,)),
    "full": lambda o: o.full((2, 2), 3.5), "zeros_like": lambda o: o.zeros_like(I23),
    "ones_like": lambda o: o.ones_like(F23, dtype="float16"), "full_like": lambda o: o.full_like(I23, 4),
    "empty": lambda o: o.empty((2, 3)), "empty_like": lambda o: o.empty_like(I23),
    "eye": lambda o: o.eye(3, 4, k=1), "identity": lambda o: o.identity(3, dtype="int32"),
    "tri": lambda o: o.tri(3, 4, k=1),
    "arange": lambda o: [o.arange(5), o.arange(1.0, 3.0, 0.5)],
    "linspace": lambda o: o.linspace(0.0, 1.0, 5),
    "logspace": lambda o: [o.logspace(0.0, 2.0, 5), o.logspace(0.0, 2.0, 4, endpoint=False, base=2.0)],
    "geomspace": lambda o: o.geomspace(1.0, 100.0, 5),
    "meshgrid": lambda o: o.meshgrid(F3, F4, indexing="ij"),
    "array": lambda o: o.array([[1, 2], [3, 4]], dtype="float32"),
    "bartlett": lambda o: o.bartlett(5), "blackman": lambda o: o.blackman(5), "hamming": lambda o: o.hamming(5),
    "hanning": lambda o: o.hanning(5), "kaiser": lambda o: o.kaiser(5, 2.0),
    # ---- shape manipulation
    "reshape": lambda o: o.reshape(F234, (6, -1)), "transpose": lambda o: o.transpose(F234, (2, 0, 1)),
    "swapaxes": lambda o: o.swapaxes(F234, 0, 2), "moveaxis": lambda o: o.moveaxis(F234, 0, -1),
    "expand_dims": lambda o: o.expand_dims(F23, (0, 2)), "squeeze": lambda o: o.squeeze(F23[None], 0),
    "ravel": lambda o: o.ravel(F23), "broadcast_to": lambda o: o.broadcast_to(F3, (2, 3)),
    "concatenate": lambda o: o.concatenate([F23, I23], axis=1), "append": lambda o: o.append(F23, F23),
    "stack": lambda o: o.stack([F23, F23], axis=1), "hstack": lambda o: o.hstack([F23, F23]),
    "vstack": lambda o: o.vstack([F23, F23]), "dstack": lambda o: o.dstack([F23, I23]),
    "split": lambda o: o.split(F6, 3), "array_split": lambda o: o.array_split(F234, 3, axis=2),
    "hsplit": lambda o: o.hsplit(F34, 2), "vsplit": lambda o: o.vsplit(F34, [1]),
    "dsplit": lambda o: o.dsplit(F234, 2),
    "tile": lambda o: o.tile(F23, (2, 1)), "repeat": lambda o: o.repeat(F23, 2, axis=1),
    "flip": lambda o: o.flip(F234, axis=(0, 2)), "fliplr": lambda o: o.fliplr(F23), "flipud": lambda o: o.flipud(F23),
    "rot90": lambda o: o.rot90(F234, k=3, axes=(1, 2)),
    "roll": lambda o: o.roll(F23, 2, axis=1),
    "pad": lambda o: [o.pad(F23, ((1, 0), (0, 2))), o.pad(F23, ((0, 0), (1, 2)), mode="reflect"),
                      o.pad(F23, ((0, 0), (1, 1)), constant_values=3.0)],
    "diff": lambda o: [o.diff(F234), o.diff(I23, n=2, axis=1)],
    "unravel_index": lambda o: o.unravel_index(np.array([1, 5, 7], dtype="int32"), (2, 4)),
    "view": lambda o: o.view(F23, "int32"),
    "rearrange": lambda o: o.rearrange(F234, "b (h w) c -> b h w c", h=3),
    # ---- indexing and sorting
    "take": lambda o: o.take(F234, np.array([2, 0], dtype="int32"), axis=1),
    "take_along_axis": lambda o: o.take_along_axis(F23, np.argsort(F23, axis=1), axis=1),
    "sort": lambda o: o.sort(F23), "argsort": lambda o: o.argsort(F23, axis=0),
    "unique": lambda o: o.unique(np.array([3, 1, 2, 3, 1], dtype="int32")),
    "nonzero": lambda o: o.nonzero(I23), "select": lambda o: o.select([B23, ~B23], [F23, P23]),
    "get_item": lambda o: o.get_item(torch.tensor(F234), (slice(None), 1)),
    "size": lambda o: o.size(F234), "ndim": lambda o: o.ndim(F234), "copy": lambda o: o.copy(F23),
    "top_k": lambda o: o.top_k(F34, 2), "in_top_k": lambda o: o.in_top_k(np.array([0, 1, 2], dtype="int32"), F34, 2),
    # ---- core
    "cast": lambda o: o.cast(F23 * 3, "int32"), "convert_to_tensor": lambda o: o.convert_to_tensor([1, 2]),
    "convert_to_numpy": lambda o: o.convert_to_numpy(torch.tensor(F23)),
    "is_tensor": lambda o: o.is_tensor(torch.tensor(F23)), "dtype": lambda o: o.dtype(torch.tensor(I23)),
    "shape": lambda o: o.shape(torch.tensor(F234)), "stop_gradient": lambda o: o.stop_gradient(torch.tensor(F23)),
    "slice": lambda o: o.slice(F234, (0, 1, 1), (2, 2, 2)),
    "slice_update": lambda o: o.slice_update(F234, (0, 1, 0), np.ones((1, 1, 4), dtype="float32")),
    "scatter": lambda o: o.scatter(np.array([[0, 1], [1, 2]], dtype="int32"), np.array([1.0, 2.0], dtype="float32"),
                                   (2, 3)),
    "scatter_update": lambda o: o.scatter_update(F23, np.array([[0, 0], [1, 1]], dtype="int32"),
                                                 np.array([9.0, 8.0], dtype="float32")),
    "unstack": lambda o: o.unstack(torch.tensor(F234), axis=1),
    "saturate_cast": lambda o: [o.saturate_cast(F23 * 300, "int8"), o.saturate_cast(I23 * 100, "uint8")],
    "cond": lambda o: o.cond(True, lambda: o.add(F3, 1.0), lambda: o.add(F3, 2.0)),
    "switch": lambda o: o.switch(1, [lambda x: o.add(x, 1.0), lambda x: o.multiply(x, 2.0)], torch.tensor(F3)),
    "while_loop": lambda o: o.while_loop(lambda i, x: i < 3, lambda i, x: (i + 1, x * 2.0),
                                         (torch.tensor(0), torch.tensor(F3))),
    "fori_loop": lambda o: o.fori_loop(0, 4, lambda i, x: x + i, torch.tensor(F3)),
    "map": lambda o: o.map(lambda x: o.sum(x), torch.tensor(F234)),
    "vectorized_map": lambda o: o.vectorized_map(lambda x: o.sum(x, axis=0), torch.tensor(F234)),
    "scan": lambda o: o.scan(lambda c, x: (c + x, c * x), torch.tensor(F4), torch.tensor(F34)),
    "associative_scan": lambda o: o.associative_scan(lambda a, b: a + b, torch.tensor(F234), axis=1),
    "vectorize": lambda o: [o.vectorize(lambda a, b: a * b + 1.0)(F23, F3),
                            o.vectorize(lambda a: o.sum(a), signature="(n)->()")(F234)],
    "custom_gradient": _cg,
    "jvp": _jvp,
    # ---- nn: activations
    "relu": lambda o: o.relu(F23), "relu6": lambda o: o.relu6(F23 * 8), "elu": lambda o: o.elu(F23, alpha=0.5),
    "selu": lambda o: o.selu(F23), "celu": lambda o: o.celu(F23), "gelu": lambda o: [o.gelu(F23), o.gelu(F23, False)],
    "glu": lambda o: o.glu(F34), "sigmoid": lambda o: o.sigmoid(F23), "log_sigmoid": lambda o: o.log_sigmoid(F23),
    "hard_sigmoid": lambda o: o.hard_sigmoid(F23 * 4), "hard_silu": lambda o: o.hard_silu(F23 * 4),
    "hard_swish": lambda o: o.hard_swish(F23 * 4), "silu": lambda o: o.silu(F23), "swish": lambda o: o.swish(F23),
    "leaky_relu": lambda o: o.leaky_relu(F23), "softplus": lambda o: o.softplus(F23),
    "softsign": lambda o: o.softsign(F23), "hard_tanh": lambda o: o.hard_tanh(F23 * 2),
    "tanh_shrink": lambda o: o.tanh_shrink(F23), "soft_shrink": lambda o: o.soft_shrink(F23),
    "hard_shrink": lambda o: o.hard_shrink(F23), "threshold": lambda o: o.threshold(F23, 0.1, -1.0),
    "squareplus": lambda o: o.squareplus(F23), "sparse_plus": lambda o: o.sparse_plus(F23 * 2),
    "sparse_sigmoid": lambda o: o.sparse_sigmoid(F23 * 2), "sparsemax": lambda o: o.sparsemax(F234, axis=1),
    "softmax": lambda o: [o.softmax(F234), o.softmax(F234, axis=(1, 2))], "log_softmax": lambda o: o.log_softmax(F23),
    "polar": lambda o: o.polar(P23, F23),
    # ---- nn: encodings, normalization, losses
    "one_hot": lambda o: [o.one_hot(np.array([0, 2, 3], dtype="int32"), 4), o.one_hot(I23 % 3, 3, axis=0)],
    "multi_hot": lambda o: o.multi_hot(np.array([[0, 2], [1, 1]], dtype="int32"), 4),
    "moments": lambda o: o.moments(F234, axes=(0, 1)), "normalize": lambda o: o.normalize(F23),
    "batch_normalization": lambda o: o.batch_normalization(F23, F3, P23[0], axis=1, offset=F3, scale=P23[1]),
    "layer_normalization": lambda o: [o.layer_normalization(F234, F4, F4), o.layer_normalization(F234, axis=(0, 2))],
    "rms_normalization": lambda o: [o.rms_normalization(F234, F4), o.rms_normalization(F234, axis=(1, 2))],
    "binary_crossentropy": lambda o: o.binary_crossentropy(B23.astype("float32"), np.clip(P23, 0, 1)),
    "categorical_crossentropy": lambda o: o.categorical_crossentropy(np.eye(4, dtype="float32")[:3], F34, True),
    "sparse_categorical_crossentropy": lambda o: o.sparse_categorical_crossentropy(
        np.array([0, 3, 1], dtype="int32"), F34, from_logits=True),
    "dot_product_attention": lambda o: [o.dot_product_attention(Q, Q, Q),
                                        o.dot_product_attention(Q, Q, Q, is_causal=True, scale=0.5)],
    "psnr": lambda o: o.psnr(IMG[0], IMG[1], 1.0),
    "ctc_loss": lambda o: o.ctc_loss(CTC_TARGET, CTC_LOGITS, np.array([2, 3], dtype="int32"),
                                     np.array([6, 5], dtype="int32")),
    "ctc_decode": lambda o: [o.ctc_decode(CTC_LOGITS, np.array([6, 4], dtype="int32")),
                             o.ctc_decode(CTC_LOGITS, np.array([6, 4], dtype="int32"), merge_repeated=False),
                             o.ctc_decode(CTC_LOGITS * 3, np.array([6, 5], dtype="int32"), strategy="beam_search",
                                          beam_width=4, top_paths=3, mask_index=4)],
    # ---- nn: convolution and pooling
    "conv": lambda o: [o.conv(SEQ, K3, padding="same"), o.conv(IMG, K2D, strides=2, padding="same"),
                       o.conv(IMG, K2D, dilation_rate=2)],
    "depthwise_conv": lambda o: o.depthwise_conv(IMG, DW, padding="same"),
    "separable_conv": lambda o: o.separable_conv(IMG, DW, PW, strides=2, padding="same"),
    "conv_transpose": lambda o: [o.conv_transpose(IMG, K2D.transpose(0, 1, 3, 2), strides=2, padding="same"),
                                 o.conv_transpose(SEQ, K3.transpose(0, 2, 1), strides=2),
                                 o.conv_transpose(IMG, K2D.transpose(0, 1, 3, 2), strides=2, output_padding=1)],
    "max_pool": lambda o: [o.max_pool(IMG, 3, strides=2, padding="same"), o.max_pool(SEQ, 2)],
    "average_pool": lambda o: [o.average_pool(IMG, 3, strides=2, padding="same"), o.average_pool(IMG, 3, 1, "same"),
                               o.average_pool(SEQ, 2)],
    "adaptive_average_pool": lambda o: o.adaptive_average_pool(IMG, (3, 4)),
    "adaptive_max_pool": lambda o: o.adaptive_max_pool(IMG_CF, 3, data_format="channels_first"),
    "unfold": lambda o: o.unfold(torch.tensor(IMG_CF), 3, stride=2),
    "fold": lambda o: o.fold(torch.ones((2, 12, 20)), (5, 6), 2, stride=1),
    "depth_to_space": lambda o: o.depth_to_space(np.tile(IMG, (1, 1, 1, 4)), 2),
    "space_to_depth": lambda o: o.space_to_depth(IMG, 2),
    # ---- math
    "erf": lambda o: o.erf(F23), "erfc": lambda o: o.erfc(F23), "erfinv": lambda o: o.erfinv(U23),
    "rsqrt": lambda o: o.rsqrt(P23), "logsumexp": lambda o: o.logsumexp(F234, axis=1),
    "logdet": lambda o: o.logdet(SPD),
    "segment_sum": lambda o: o.segment_sum(F34, np.array([0, 0, 2], dtype="int32"), num_segments=3),
    "segment_max": lambda o: o.segment_max(F34, np.array([0, 1, 1], dtype="int32")),
    "segment_min": lambda o: o.segment_min(F34, np.array([0, 1, 1], dtype="int32")),
    "segment_prod": lambda o: o.segment_prod(F34, np.array([1, 1, 0], dtype="int32"), num_segments=2),
    "cdist": lambda o: o.cdist(F34, F23.T.copy()[:, :1].repeat(4, 1)),
    "extract_sequences": lambda o: o.extract_sequences(SIG, 16, 8),
    "fft": lambda o: o.fft((C_RE, C_IM)), "fft2": lambda o: o.fft2((C_RE, C_IM)),
    "ifft2": lambda o: o.ifft2((C_RE, C_IM)), "rfft": lambda o: o.rfft(SIG, 32),
    "irfft": lambda o: o.irfft((C_RE, C_IM), 6),
    "stft": lambda o: o.stft(SIG, 16, 8, 32), "istft": lambda o: [o.istft(o.stft(SIG, 16, 8, 16), 16, 8, 16),
                                                                 o.istft(o.stft(SIG, 16, 8, 32), 16, 8, 32)],
    "view_as_complex": lambda o: o.view_as_complex(F34[:, :2].copy()),
    "view_as_real": lambda o: o.view_as_real(torch.complex(torch.tensor(C_RE), torch.tensor(C_IM))),
    "real": lambda o: o.real(torch.complex(torch.tensor(C_RE), torch.tensor(C_IM))),
    "imag": lambda o: o.imag(torch.complex(torch.tensor(C_RE), torch.tensor(C_IM))),
    "conj": lambda o: o.conj(torch.complex(torch.tensor(C_RE), torch.tensor(C_IM))),
    "conjugate": lambda o: o.conjugate(torch.complex(torch.tensor(C_RE), torch.tensor(C_IM))),
    "angle": lambda o: o.angle(torch.complex(torch.tensor(C_RE), torch.tensor(C_IM))),
    # ---- linalg
    "cholesky": lambda o: o.cholesky(SPD), "cholesky_inverse": lambda o: o.cholesky_inverse(np.linalg.cholesky(SPD)),
    "det": lambda o: o.det(SPD), "inv": lambda o: o.inv(SPD), "solve": lambda o: o.solve(SPD, F34),
    "solve_triangular": lambda o: [o.solve_triangular(TRI, F34), o.solve_triangular(TRI.T.copy(), F3, lower=True)],
    "norm": lambda o: [o.norm(F23), o.norm(F23, ord=1, axis=1), o.norm(F34, ord="fro")],
    "qr": lambda o: o.qr(F34), "eigh": lambda o: o.eigh(SPD)[0],
    "eig": lambda o: o.abs(o.eig(SPD)[0]),
    "svd": lambda o: [o.svd(F34, compute_uv=False), o.abs(o.svd(F34, full_matrices=False)[1])],
    "lstsq": lambda o: o.lstsq(F34.T.copy(), F4), "lu_factor": lambda o: o.lu_factor(SPD),
    "matrix_rank": lambda o: o.matrix_rank(F34), "pinv": lambda o: o.pinv(F34),
}

IMAGE_CASES = {
    "resize": lambda i: [i.resize(IMG, (5, 7)), i.resize(IMG, (16, 20), interpolation="nearest"),
                         i.resize(IMG, (4, 4), interpolation="bicubic", antialias=True),
                         i.resize(IMG, (6, 6), crop_to_aspect_ratio=True),
                         i.resize(IMG, (6, 6), pad_to_aspect_ratio=True, fill_value=0.5),
                         i.resize((IMG * 255).astype("uint8"), (5, 7)),
                         i.resize(IMG_CF, (3, 4), data_format="channels_first")],
    "affine_transform": lambda i: [i.affine_transform(IMG, AFFINE),
                                   i.affine_transform(IMG[0], AFFINE[0], interpolation="nearest", fill_mode="reflect"),
                                   i.affine_transform(IMG, AFFINE, fill_mode="wrap"),
                                   i.affine_transform(IMG, AFFINE, fill_mode="mirror"),
                                   i.affine_transform(IMG, AFFINE, fill_mode="nearest", fill_value=0.5)],
    "crop_images": lambda i: [i.crop_images(IMG, 1, 2, target_height=4, target_width=5),
                              i.crop_images(IMG[0], bottom_cropping=2, right_cropping=1, top_cropping=1,
                                            left_cropping=0)],
    "pad_images": lambda i: [i.pad_images(IMG, 1, 2, target_height=12, target_width=14),
                             i.pad_images(IMG_CF, 0, 1, 2, 3, data_format="channels_first")],
    "rgb_to_grayscale": lambda i: i.rgb_to_grayscale(IMG),
    "rgb_to_hsv": lambda i: i.rgb_to_hsv(IMG), "hsv_to_rgb": lambda i: i.hsv_to_rgb(IMG),
    "extract_patches": lambda i: [i.extract_patches(IMG, 3), i.extract_patches(IMG, (2, 3), strides=(1, 2),
                                                                                padding="same")],
    "extract_patches_3d": lambda i: i.extract_patches_3d(IMG, 2),
    "map_coordinates": lambda i: [i.map_coordinates(IMG[0, :, :, 0], np.stack([F23 * 3 + 2, F23 * 4 + 3]), 1),
                                  i.map_coordinates(IMG[0, :, :, 0], np.stack([F23 * 9, F23 * 9]), 0,
                                                    fill_mode="mirror")],
    "gaussian_blur": lambda i: [i.gaussian_blur(IMG, data_format="channels_last"),
                                i.gaussian_blur(IMG_CF, (5, 5), (1.5, 1.5),
                                                                      data_format="channels_first")],
    "elastic_transform": lambda i: (torch.manual_seed(0), i.elastic_transform(IMG, alpha=5.0, sigma=1.0))[1],
    "perspective_transform": lambda i: i.perspective_transform(IMG, START_PTS, END_PTS),
    "scale_and_translate": lambda i: [
        i.scale_and_translate(IMG, (2, 5, 6, 3), np.array([0.6, 0.6], dtype="float32"),
                              np.array([0.5, -0.2], dtype="float32"), (1, 2), "bilinear"),
        i.scale_and_translate(IMG, (2, 12, 13, 3), np.array([1.5, 1.3], dtype="float32"),
                              np.array([0.0, 0.0], dtype="float32"), (1, 2), "lanczos3", antialias=False),
        i.scale_and_translate(IMG, (2, 4, 4, 3), np.array([0.5, 0.4], dtype="float32"),
                              np.array([0.0, 0.0], dtype="float32"), (1, 2), "cubic")],
    "sobel_edges": lambda i: i.sobel_edges(IMG),
    "ssim": lambda i: [i.ssim(IMG, IMG[::-1].copy(), filter_size=5), i.ssim(IMG[0], IMG[1], filter_size=3)],
}

# Values that are not comparable by construction (uninitialized memory): shape and dtype only.
SHAPE_ONLY = {"empty", "empty_like"}


# ---------------------------------------------------------------- comparison

def _leaves(value):
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _leaves(v)
    else:
        yield value


def _assert_same(name, ours, theirs, values=True):
    ours_l, theirs_l = list(_leaves(ours)), list(_leaves(theirs))
    assert len(ours_l) == len(theirs_l), f"{name}: {len(ours_l)} outputs vs Keras's {len(theirs_l)}"
    for k, (a, b) in enumerate(zip(ours_l, theirs_l)):
        where = f"{name}[{k}]"
        if not isinstance(b, (torch.Tensor, np.ndarray)):
            assert type(a) is type(b) and a == b, f"{where}: {a!r} != Keras's {b!r}"
            continue
        assert isinstance(a, type(b)), f"{where}: {type(a).__name__} vs Keras's {type(b).__name__}"
        assert a.dtype == b.dtype, f"{where}: dtype {a.dtype} vs Keras's {b.dtype}"
        assert tuple(a.shape) == tuple(b.shape), f"{where}: shape {tuple(a.shape)} vs Keras's {tuple(b.shape)}"
        if not values:
            continue
        a_np = a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else a
        b_np = b.detach().cpu().numpy() if isinstance(b, torch.Tensor) else b
        if a_np.dtype.kind in "biu":
            np.testing.assert_array_equal(a_np, b_np, err_msg=where)
        else:
            np.testing.assert_allclose(a_np, b_np, rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=where)


# ---------------------------------------------------------------- tests

def _public(module):
    return sorted(n for n in dir(module) if not n.startswith("_") and not inspect.ismodule(getattr(module, n)))


def test_every_keras_name_has_a_case(K):
    assert sorted(CASES) == _public(K)
    assert sorted(IMAGE_CASES) == _public(K.image)


@pytest.mark.parametrize("sub", ["", "numpy", "nn", "linalg", "image"])
def test_names_and_signatures_match_keras(K, sub):
    theirs = getattr(K, sub) if sub else K
    ours = getattr(kt_ops, sub) if sub else kt_ops
    problems = []
    for name in _public(theirs):
        if not hasattr(ours, name):
            problems.append(f"{name}: missing")
            continue
        sig_k = inspect.signature(getattr(theirs, name))
        sig_o = inspect.signature(getattr(ours, name))
        params_k = [(p.name, p.kind, p.default) for p in sig_k.parameters.values()]
        params_o = [(p.name, p.kind, p.default) for p in sig_o.parameters.values()]
        # extensions are allowed after Keras's parameters, as optional keywords
        extra = [p for p in list(sig_o.parameters.values())[len(params_k):]
                 if p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD]
        if params_k != params_o[:len(params_k)] or extra:
            problems.append(f"{name}: {sig_o} vs Keras's {sig_k}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_keras(K, name):
    ours = CASES[name](kt_ops)
    theirs = CASES[name](K)
    _assert_same(name, ours, theirs, values=name not in SHAPE_ONLY)


@pytest.mark.parametrize("name", sorted(IMAGE_CASES))
def test_image_values_match_keras(K, name):
    ours = IMAGE_CASES[name](kt_ops.image)
    theirs = IMAGE_CASES[name](K.image)
    _assert_same(f"image.{name}", ours, theirs)


# ---------------------------------------------------------------- argument variants
# More keyword/dtype/layout combinations per op (channels_first, strides, dilation, dtypes,
# fill modes, quantile methods ...). Inputs come from ``f``, re-seeded before each side runs,
# so both libraries see identical arrays.

RNG = [np.random.default_rng(0)]


def f(*s):
    return RNG[0].normal(size=s).astype("float32")


_vrng = np.random.default_rng(7)
VIMG = _vrng.uniform(size=(2, 9, 7, 3)).astype("float32")
VIMGCF = np.moveaxis(VIMG, -1, 1).copy()
VVOL = _vrng.normal(size=(2, 6, 5, 4, 2)).astype("float32")
VS1 = _vrng.normal(size=(2, 11, 3)).astype("float32")

VARIANTS = {
 "resize_i32": lambda o: o.image.resize((VIMG*100).astype("int32"), (4,5)),
 "resize_f16": lambda o: o.image.resize(VIMG.astype("float16"), (4,5)),
 "resize_f64": lambda o: o.image.resize(VIMG.astype("float64"), (12,3), interpolation="bicubic"),
 "resize_uint8_bicubic": lambda o: o.image.resize((VIMG*255).astype("uint8"), (14,3), interpolation="bicubic"),
 "resize_nearest_down": lambda o: o.image.resize(VIMG, (4,3), interpolation="nearest"),
 "resize_single": lambda o: o.image.resize(VIMG[0], (4,3), antialias=True),
 "resize_pad_cf": lambda o: o.image.resize(VIMGCF, (5,9), pad_to_aspect_ratio=True, data_format="channels_first"),
 "resize_crop_tall": lambda o: o.image.resize(VIMG, (9,3), crop_to_aspect_ratio=True),
 "resize_pad_tall": lambda o: o.image.resize(VIMG, (9,3), pad_to_aspect_ratio=True),
 "grayscale_cf": lambda o: o.image.rgb_to_grayscale(VIMGCF, data_format="channels_first"),
 "grayscale_int": lambda o: o.image.rgb_to_grayscale((VIMG*255).astype("uint8")),
 "hsv_cf": lambda o: o.image.rgb_to_hsv(VIMGCF, data_format="channels_first"),
 "hsv_f64": lambda o: o.image.hsv_to_rgb(VIMG.astype("float64")),
 "patches_cf": lambda o: o.image.extract_patches(VIMGCF, 3, strides=2, data_format="channels_first"),
 "patches_dil": lambda o: o.image.extract_patches(VIMG, 2, strides=1, dilation_rate=2),
 "patches_single": lambda o: o.image.extract_patches(VIMG[0], (2,2)),
 "patches3d": lambda o: o.image.extract_patches_3d(VVOL, (2,2,2), strides=1, padding="same"),
 "patches_via_3": lambda o: o.image.extract_patches(VVOL, (2,2,2)),
 "mapc_nearest_const": lambda o: o.image.map_coordinates(VIMG[0,:,:,0], [f(5)*5+3, f(5)*5+3], 0, fill_value=2.0),
 "mapc_wrap": lambda o: o.image.map_coordinates(VIMG[0,:,:,0], [f(5)*9, f(5)*9], 1, fill_mode="wrap"),
 "mapc_reflect": lambda o: o.image.map_coordinates(VIMG[0,:,:,0], [f(6)*9, f(6)*9], 1, fill_mode="reflect"),
 "mapc_nearest": lambda o: o.image.map_coordinates(VIMG[0,:,:,0], [f(6)*9, f(6)*9], 1, fill_mode="nearest"),
 "mapc_3d": lambda o: o.image.map_coordinates(VIMG[0], [f(4)*4+3, f(4)*4+3, np.array([0,1,2,1.5],"float32")], 1),
 "mapc_int": lambda o: o.image.map_coordinates((VIMG[0,:,:,0]*100).astype("int32"), [f(6)*3+3, f(6)*3+3], 1),
 "blur_single": lambda o: o.image.gaussian_blur(VIMG[0], (3,3), (0.5,0.5), data_format="channels_last"),
 "elastic_cf": lambda o: (torch.manual_seed(3), o.image.elastic_transform(VIMGCF, 10.0, 2.0, data_format="channels_first"))[1],
 "elastic_single_nearest": lambda o: (torch.manual_seed(3), o.image.elastic_transform(VIMG[0], 10.0, 2.0, interpolation="nearest", fill_mode="constant"))[1],
 "elastic_b1": lambda o: (torch.manual_seed(3), o.image.elastic_transform(VIMG[:1], 10.0, 2.0, fill_mode="wrap"))[1],
 "persp_batch": lambda o: o.image.perspective_transform(VIMG, np.stack([np.array([[0,0],[6,0],[0,8],[6,8]],"float32")]*2), np.stack([np.array([[1,0],[5,1],[0,7],[6,8]],"float32"), np.array([[0,1],[6,0],[1,8],[5,7]],"float32")]), interpolation="nearest", fill_value=1.0),
 "persp_cf": lambda o: o.image.perspective_transform(VIMGCF, np.array([[0,0],[6,0],[0,8],[6,8]],"float32"), np.array([[1,0],[5,1],[0,7],[6,8]],"float32"), data_format="channels_first"),
 "sat_lanczos5": lambda o: o.image.scale_and_translate(VIMG, (2,5,11,3), np.array([0.5,1.6],"float32"), np.array([0.3,-0.5],"float32"), (1,2), "lanczos5"),
 "sat_int": lambda o: o.image.scale_and_translate((VIMG*100).astype("int32"), (2,5,4,3), np.array([0.5,0.6],"float32"), np.array([0.,0.],"float32"), (1,2), "bilinear"),
 "sat_1d": lambda o: o.image.scale_and_translate(VS1, (2,7,3), np.array([0.7],"float32"), np.array([0.5],"float32"), (1,), "tricubic", antialias=False),
 "sobel_cf": lambda o: o.image.sobel_edges(VIMGCF, data_format="channels_first"),
 "ssim_cf": lambda o: o.image.ssim(VIMGCF, VIMGCF[::-1].copy(), max_val=2.0, data_format="channels_first", filter_size=3, filter_sigma=0.8, k1=0.02, k2=0.05),
 "pad_single": lambda o: o.image.pad_images(VIMG[0], bottom_padding=2, right_padding=1, target_height=12, target_width=10),
 "crop_cf": lambda o: o.image.crop_images(VIMGCF, bottom_cropping=1, target_height=5, left_cropping=2, right_cropping=1, data_format="channels_first"),
 "conv1d_stride_dil": lambda o: o.conv(VS1, f(3,3,4), strides=2, padding="same", dilation_rate=1),
 "conv1d_dil_same": lambda o: o.conv(VS1, f(3,3,4), padding="same", dilation_rate=2),
 "conv3d": lambda o: o.conv(VVOL, f(2,2,2,2,3), strides=(1,2,1), padding="same"),
 "conv_groups": lambda o: o.conv(f(2,8,8,4), f(3,3,2,6)),
 "conv_cf": lambda o: o.conv(VIMGCF, f(3,3,3,2), data_format="channels_first", padding="same", strides=2),
 "convT_1d_same_s3": lambda o: o.conv_transpose(VS1, f(4,5,3), strides=3, padding="same"),
 "convT_dil": lambda o: o.conv_transpose(VIMG, f(3,3,2,3), strides=1, dilation_rate=2, padding="same"),
 "convT_op": lambda o: o.conv_transpose(VIMG, f(3,3,2,3), strides=2, padding="same", output_padding=1),
 "convT_valid_op0": lambda o: o.conv_transpose(VIMG, f(2,2,2,3), strides=3, output_padding=0),
 "convT_cf": lambda o: o.conv_transpose(VIMGCF, f(3,3,2,3), strides=2, data_format="channels_first"),
 "convT_3d": lambda o: o.conv_transpose(VVOL, f(2,2,2,3,2), strides=2, padding="same"),
 "dw_mult": lambda o: o.depthwise_conv(VIMG, f(3,3,3,2), strides=2, dilation_rate=1),
 "dw_dil": lambda o: o.depthwise_conv(VS1, f(3,3,2), dilation_rate=2, padding="same"),
 "sep_cf": lambda o: o.separable_conv(VIMGCF, f(3,3,3,2), f(1,1,6,4), data_format="channels_first"),
 "maxpool_3d": lambda o: o.max_pool(VVOL, 2, padding="same"),
 "maxpool_cf": lambda o: o.max_pool(VIMGCF, (2,3), strides=(1,2), data_format="channels_first"),
 "avgpool_1d_same": lambda o: o.average_pool(VS1, 3, strides=2, padding="same"),
 "avgpool_3d_same": lambda o: o.average_pool(VVOL, 2, strides=1, padding="same"),
 "avgpool_same_even": lambda o: o.average_pool(VIMG, 2, strides=1, padding="same"),
 "adapt_1d": lambda o: o.adaptive_average_pool(VS1, 4),
 "adapt_3d": lambda o: o.adaptive_max_pool(VVOL, (3,2,2)),
 "dpa_gqa_mask": lambda o: o.dot_product_attention(f(2,5,4,8), f(2,6,2,8), f(2,6,2,8), mask=(f(2,4,5,6)>0)),
 "dpa_bias": lambda o: o.dot_product_attention(f(2,5,4,8), f(2,5,4,8), f(2,5,4,8), bias=f(2,4,5,5)),
 "dpa_mask_causal": lambda o: o.dot_product_attention(f(2,5,4,8), f(2,5,4,8), f(2,5,4,8), mask=(f(2,4,5,5)>-1), is_causal=True),
 "ln_rms": lambda o: o.layer_normalization(f(2,3,4), f(4), axis=-1, epsilon=1e-3, rms_scaling=True),
 "ln_f16": lambda o: o.layer_normalization(f(2,3,4).astype("float16"), epsilon=1e-3),
 "rms_f16": lambda o: o.rms_normalization(f(2,3,4).astype("float16"), f(4)),
 "rms_noncontig": lambda o: o.rms_normalization(f(2,3,4), axis=(0,2)),
 "ctc_loss_mask": lambda o: o.ctc_loss(np.array([[1,2,4],[3,4,1]],"int32"), f(2,7,5), np.array([3,2],"int32"), np.array([7,6],"int32"), mask_index=0),
 "quant_methods": lambda o: [o.quantile(f(3,8), 0.37, axis=1, method=m) for m in ("lower","higher","midpoint","nearest")],
 "quant_int": lambda o: o.quantile(np.arange(10,dtype="int32"), [0.1,0.9], keepdims=True),
 "median_multi": lambda o: o.median(f(3,4,5), axis=(0,2), keepdims=True),
 "nanq_multi": lambda o: o.nanquantile(np.where(f(3,4)>1, np.nan, f(3,4)).astype("float32"), [0.2,0.8], axis=0, keepdims=True),
 "nanmax_allnan": lambda o: o.nanmax(np.array([[np.nan,np.nan],[1,2]],"float32"), axis=1),
 "nanargmax_allnan": lambda o: o.nanargmax(np.array([[np.nan,np.nan],[1,2]],"float32"), axis=1),
 "nanvar_keep": lambda o: o.nanvar(np.array([[np.nan,1,3],[1,2,4]],"float32"), axis=1, keepdims=True),
 "nansum_int": lambda o: o.nansum(np.array([[1,2],[3,4]],"int8"), axis=0),
 "nanprod_int": lambda o: o.nanprod(np.array([[1,2],[3,4]],"int32"), axis=(0,1)),
 "nanmean_none_keep": lambda o: o.nanmean(np.array([[np.nan,1],[3,4]],"float32"), keepdims=True),
 "nancumsum_int": lambda o: o.nancumsum(np.array([[1,2],[3,4]],"int32")),
 "histogram_range": lambda o: o.histogram(f(20), bins=5, range=(-1,1)),
 "bincount_2d": lambda o: o.bincount(np.array([[0,1,1],[2,2,0]],"int32"), minlength=4),
 "digitize_int": lambda o: o.digitize(np.array([1,5,9],"int32"), np.array([2,6],"int32")),
 "searchsorted_left": lambda o: o.searchsorted(np.array([1,3,5],"float32"), f(2,3)),
 "correlate_int": lambda o: o.correlate(np.arange(6,dtype="int32"), np.array([1,2],"int32"), mode="same"),
 "correlate_long2": lambda o: o.correlate(f(3), f(7)),
 "trapz_x": lambda o: o.trapezoid(f(2,5), x=np.arange(5,dtype="float32")**2),
 "argpart_none": lambda o: o.argpartition(np.array([[5,1,4],[2,8,0]],"int32"), 2, axis=None),
 "argpart_axis0": lambda o: o.argpartition(np.array([[5,1,4],[2,8,0],[3,3,3]],"int32"), 1, axis=0),
 "vander_inc": lambda o: o.vander(np.array([1,2,3],"int32"), increasing=True),
 "cross_axis": lambda o: o.cross(f(3,2), f(3,2), axis=0),
 "kron_int": lambda o: o.kron(np.array([[1,2]],"int32"), np.array([[1],[2]],"int8")),
 "logspace_arr": lambda o: o.logspace(np.array([0.,1.],"float32"), np.array([2.,3.],"float32"), 4),
 "geomspace_neg": lambda o: o.geomspace(-1.0, -1000.0, 4, endpoint=False),
 "geomspace_int": lambda o: o.geomspace(1, 16, 5),
 "logspace_int": lambda o: o.logspace(0, 3, 4, dtype="float64"),
 "tri_int": lambda o: o.tri(3, dtype="int32"),
 "unravel": lambda o: o.unravel_index(np.array([[3,5]],"int64"), (2,3)),
 "view_int8": lambda o: o.view(np.arange(4,dtype="int32"), "int8"),
 "view_f16": lambda o: o.view(np.arange(4,dtype="float32"), "int16"),
 "isin_inv": lambda o: o.isin(np.array([1,2,3],"int32"), np.array([2],"int32"), invert=True),
 "isin_bool": lambda o: o.isin(np.array([True,False]), np.array([1],"int32")),
 "select_default": lambda o: o.select([np.array([True,False]), np.array([False,False])], [np.array([1,2],"int32"), np.array([3,4],"int32")], default=-1),
 "rot90_neg": lambda o: o.rot90(f(2,3,4), k=-1, axes=(-1,0)),
 "diff_n2": lambda o: o.diff(f(3,5), n=2, axis=0),
 "vectorize_sig2": lambda o: o.vectorize(lambda a,b: o.sum(a*b), signature="(n),(n)->()")(f(4,3), f(3)),
 "scan_rev_len": lambda o: o.scan(lambda c, x: (c*2, c), torch.tensor(1.0), None, length=4),
 "scan_rev": lambda o: o.scan(lambda c, x: (c + x, c), torch.tensor(f(2)), torch.tensor(f(4,2)), reverse=True),
 "scan_tree": lambda o: o.scan(lambda c, x: ((c[0]+x["a"], c[1]*2), x["a"]-c[0]), (torch.tensor(f(2)), torch.tensor(f(2))), {"a": torch.tensor(f(3,2))}),
 "assoc_rev_mul": lambda o: o.associative_scan(lambda a, b: a * b, torch.tensor(f(5,2)), reverse=True),
 "assoc_tuple": lambda o: o.associative_scan(lambda a, b: (a[0]+b[0], o.maximum(a[1], b[1])), (torch.tensor(f(6)), torch.tensor(f(6)))),
 "switch_clamp": lambda o: o.switch(5, [lambda x: x + 1, lambda x: x * 3], torch.tensor(f(3))),
 "sat_f2i": lambda o: o.saturate_cast(np.array([-1e10, 1e10, np.inf, -np.inf, 3.7],"float32"), "int32"),
 "sat_f2u8": lambda o: o.saturate_cast(np.array([-5, 300, 7.9],"float32"), "uint8"),
 "sat_i2f16": lambda o: o.saturate_cast(np.array([1<<20, -5],"int32"), "float16"),
 "sat_f64_f32": lambda o: o.saturate_cast(np.array([1e300, -1e300],"float64"), "float32"),
 "fft2_batched": lambda o: o.fft2((f(2,3,4), f(2,3,4))),
 "rfft_none": lambda o: o.rfft(f(2,9)),
 "irfft_none": lambda o: o.irfft((f(2,5), f(2,5))),
 "stft_hamming_nc": lambda o: o.stft(f(2,3,50), 12, 5, 16, window="hamming", center=False),
 "stft_none": lambda o: o.stft(f(40), 10, 4, 10, window=None),
 "istft_nc_len": lambda o: o.istft(o.stft(f(2,50), 12, 5, 16, center=False), 12, 5, 16, center=False),
 "istft_len": lambda o: o.istft(o.stft(f(2,48), 16, 8, 16), 16, 8, 16, length=40),
 "istft_hamming": lambda o: o.istft(o.stft(f(2,48), 12, 6, 16, window="hamming"), 12, 6, 16, window="hamming"),
 "extract_seq_3d": lambda o: o.extract_sequences(f(2,3,20), 5, 3),
 "segment_unsorted_none": lambda o: o.segment_max(f(5,2), np.array([2,0,2,1,0],"int32")),
 "segment_prod_none": lambda o: o.segment_prod(f(5), np.array([2,0,2,1,0],"int32")),
 "segment_min_empty": lambda o: o.segment_min(f(3,2), np.array([0,0,2],"int32"), num_segments=4),
 "segment_max_empty": lambda o: o.segment_max(f(3,2), np.array([0,-1,2],"int32"), num_segments=4),
 "segment_sum_oob": lambda o: o.segment_sum(f(3,2), np.array([0,5,2],"int32"), num_segments=3),
 "segment_sum_int": lambda o: o.segment_sum(np.array([1,2,3],"int32"), np.array([0,0,2],"int32")),
 "cdist_batch": lambda o: o.cdist(f(2,3,4), f(2,5,4)),
 "lstsq_rcond": lambda o: o.lstsq(f(5,3), f(5,2), rcond=1e-3),
 "matrix_rank_tol": lambda o: o.matrix_rank(f(4,4), tol=0.5),
 "pinv_rcond": lambda o: o.pinv(f(4,3), rcond=0.1),
 "svd_full": lambda o: o.abs(o.svd(f(3,5))[0]),
 "eigh_vec": lambda o: o.abs(o.eigh(np.eye(3,dtype="float32")*np.array([1,2,3],"float32"))[1]),
 "chol_inv_upper": lambda o: o.cholesky_inverse(np.linalg.cholesky(np.eye(3,dtype="float32")*2).T.copy(), upper=True),
 "solve_tri_batch": lambda o: o.solve_triangular(np.tril(f(2,3,3))+np.eye(3,dtype="float32")*3, f(2,3,2), lower=True),
 "logdet_batch": lambda o: o.logdet(np.stack([np.eye(3,dtype="float32")*2]*2)),
 "unique_full": lambda o: o.unique(np.array([3,1,2,3,1,5],"int32"), return_index=True, return_inverse=True, return_counts=True),
 "unique_size_pad": lambda o: o.unique(np.array([3,1,3],"int32"), size=4, fill_value=-1, return_counts=True),
 "unique_size_trunc": lambda o: o.unique(np.array([3,1,2,5],"int32"), size=2, return_index=True),
 "unique_axis": lambda o: o.unique(np.array([[1,2],[1,2],[0,1]],"int32"), axis=0),
 "multi_hot_1d": lambda o: o.multi_hot(np.array([1,3],"int32"), 5),
 "one_hot_axis0": lambda o: o.one_hot(np.array([[1,0],[2,1]],"int32"), 3, axis=1, dtype="int32"),
 "sparsemax_axis0": lambda o: o.sparsemax(f(4,3)*3, axis=0),
 "polar_int": lambda o: o.polar(np.array([1,2],"int32"), np.array([0.5,1.0],"float32")),
 "psnr_int": lambda o: o.psnr(np.array([[1.0,2.0]],"float32"), np.array([[1.5,2.0]],"float32"), 3.0),
 "fold_kw": lambda o: o.fold(torch.tensor(f(1,8,9)), output_size=(4,4), kernel_size=(2,2), dilation=1, padding=1, stride=2),
 "unfold_pad": lambda o: o.unfold(torch.tensor(VIMGCF), (2,3), dilation=(1,2), padding=1, stride=(2,1)),
 "d2s_cf": lambda o: o.depth_to_space(np.tile(VIMGCF,(1,4,1,1)), 2, data_format="channels_first"),
 "s2d_cf": lambda o: o.space_to_depth(VIMGCF[:, :, :8, :6], 2, data_format="channels_first"),
 "rearrange_split": lambda o: o.rearrange(f(6,4), "(a b) c -> c a b", a=2),
 "rearrange_merge": lambda o: o.rearrange(f(2,3,4), "a b c -> (c a) b"),
 "get_item_bool": lambda o: o.get_item(torch.tensor(f(3,2)), torch.tensor([True,False,True])),
 "fmod_neg": lambda o: o.fmod(np.array([-5,5],"int32"), np.array([3,-3],"int32")),
 "nextafter_f64": lambda o: o.nextafter(np.array([1.0],"float64"), np.array([2.0],"float64")),
 "ldexp_int": lambda o: o.ldexp(np.array([1,2],"int32"), np.array([3,1],"int32")),
 "i0_f16": lambda o: o.i0(np.array([1,2],"float16")),
 "sinc_int": lambda o: o.sinc(np.array([0,1,2],"int32")),
 "heaviside_int": lambda o: o.heaviside(np.array([-1,0,2],"int32"), np.array([5,5,5],"int32")),
 "trunc_int": lambda o: o.trunc(np.array([-1,2],"int32")),
 "signbit_int": lambda o: o.signbit(np.array([-1,2],"int32")),
 "angle_real": lambda o: o.angle(np.array([-1.0,2.0],"float32")),
 "exp2_int64": lambda o: o.exp2(np.array([1,2],"int64")),
 "isclose_nan": lambda o: o.isclose(np.array([np.nan,1.0],"float32"), np.array([np.nan,1.0],"float32"), equal_nan=True),
 "allclose_int": lambda o: o.allclose(np.array([1,2],"int32"), np.array([1,2],"int32")),
 "shift_arr": lambda o: o.left_shift(np.array([1,2],"int32"), np.array([3,4],"int32")),
 "inner_int": lambda o: o.inner(np.array([1,2],"int32"), np.array([3,4],"int32")),
 "corrcoef_int": lambda o: o.corrcoef(np.array([[1,2,4],[3,1,0]],"int32")),
 "diagflat_k": lambda o: o.diagflat(np.array([1,2],"int32"), k=2),
 "dstack_1d": lambda o: o.dstack([np.array([1,2],"int32"), np.array([3,4],"int32")]),
 "hsplit_1d": lambda o: o.hsplit(np.arange(6,dtype="int32"), 3),
 "windows_1": lambda o: [o.bartlett(1), o.hanning(1), o.hamming(0), o.kaiser(6, 14.0)],
 "ptp_keep": lambda o: o.ptp(f(3,4), axis=(0,1), keepdims=True),
 "percentile_int": lambda o: o.percentile(np.arange(10,dtype="int32"), 50),
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_match_keras(K, name):
    RNG[0] = np.random.default_rng(11)
    ours = VARIANTS[name](kt_ops)
    RNG[0] = np.random.default_rng(11)
    theirs = VARIANTS[name](K)
    _assert_same(name, ours, theirs)


# ---------------------------------------------------------------- dtype promotion
# Keras's result dtypes for every pair of input dtypes (and Python scalars), per representative op.

PROMO_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"]
PROMO_BINARY = {
    "add": lambda o, a, b: o.add(a, b), "subtract": lambda o, a, b: o.subtract(a, b),
    "multiply": lambda o, a, b: o.multiply(a, b), "divide": lambda o, a, b: o.divide(a, b),
    "floor_divide": lambda o, a, b: o.floor_divide(a, b), "mod": lambda o, a, b: o.mod(a, b),
    "power": lambda o, a, b: o.power(a, b), "maximum": lambda o, a, b: o.maximum(a, b),
    "divide_no_nan": lambda o, a, b: o.divide_no_nan(a, b), "arctan2": lambda o, a, b: o.arctan2(a, b),
    "hypot": lambda o, a, b: o.hypot(a, b), "logaddexp": lambda o, a, b: o.logaddexp(a, b),
    "matmul": lambda o, a, b: o.matmul(a, b), "dot": lambda o, a, b: o.dot(a, b),
    "tensordot": lambda o, a, b: o.tensordot(a, b, axes=1), "outer": lambda o, a, b: o.outer(a, b),
    "where": lambda o, a, b: o.where(torch.tensor([True, False]), a, b),
    "concatenate": lambda o, a, b: o.concatenate([a, b]), "stack": lambda o, a, b: o.stack([a, b]),
    "dstack": lambda o, a, b: o.dstack([a, b]), "fmax": lambda o, a, b: o.fmax(a, b),
    "heaviside": lambda o, a, b: o.heaviside(a, b), "isclose": lambda o, a, b: o.isclose(a, b),
}
PROMO_UNARY = ["sqrt", "exp", "floor", "ceil", "abs", "square", "mean", "sum", "prod", "var", "cumsum", "cumprod",
               "argmax", "median", "nanmean", "nansum", "cbrt", "exp2", "fabs", "i0", "deg2rad", "trace", "norm",
               "average", "relu", "sigmoid", "erf", "logsumexp", "count_nonzero", "sort", "arcsin", "sinh"]


def _dtype_or_error(fn):
    try:
        out = fn()
    except (RuntimeError, TypeError, ValueError):
        return "error"
    out = out[0] if isinstance(out, (tuple, list)) else out
    return str(out.dtype)


@pytest.mark.parametrize("name", sorted(PROMO_BINARY))
def test_binary_dtype_promotion_matches_keras(K, name):
    fn = PROMO_BINARY[name]
    problems = []
    operands = [torch.ones(2, dtype=getattr(torch, d)) for d in PROMO_DTYPES]
    for a in operands:
        for b in operands + [2, 1.5]:
            theirs = _dtype_or_error(lambda a=a, b=b: fn(K, a, b))
            if theirs == "error":
                continue  # where Keras refuses a combination, kerastorch may still compute it
            ours = _dtype_or_error(lambda a=a, b=b: fn(kt_ops, a, b))
            if ours != theirs:
                problems.append(f"{a.dtype} with {b if not isinstance(b, torch.Tensor) else b.dtype}: "
                                f"{ours} vs Keras's {theirs}")
    assert not problems, f"{name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", PROMO_UNARY)
def test_unary_dtype_rules_match_keras(K, name):
    problems = []
    for d in PROMO_DTYPES:
        x = torch.ones((2, 2), dtype=getattr(torch, d))
        theirs = _dtype_or_error(lambda x=x: getattr(K, name)(x))
        if theirs == "error":
            continue
        ours = _dtype_or_error(lambda x=x: getattr(kt_ops, name)(x))
        if ours != theirs:
            problems.append(f"{d}: {ours} vs Keras's {theirs}")
    assert not problems, f"{name}: " + "; ".join(problems)
