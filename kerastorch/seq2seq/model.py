"""``Seq2Seq``: a recurrent encoder-decoder with attention that trains with ``fit``.

Architecture (Luong et al. 2015, Bahdanau et al. 2015)::

    src ids -> Embedding(mask_zero) -> [Bidirectional] LSTM/GRU encoder -> memory (B, S, units)
                                                      \\-> final states -> decoder initial states
    previous target id -> Embedding -> LSTM/GRU cell -> attention over memory (source padding masked)
        -> Dense(units, tanh)([context; hidden]) -> Dense(target vocabulary) = logits

``attention`` picks the score:

* ``"dot"`` (Luong): ``score = h_t . m_s``, queried with the decoder state after its step.
* ``"general"`` (Luong): ``score = h_t . (W m_s)``.
* ``"additive"`` / ``"bahdanau"``: ``score = v . tanh(W1 h_{t-1} + W2 m_s)``, queried with the
  decoder state *before* its step; the context is fed to the cell with the token embedding.
* ``None``: no attention (the classic encoder-decoder; the readout is the decoder state).

Training data. The model's inputs are ``(src, tgt_in)`` and its outputs are logits
``(batch, len(tgt_in), target_vocab)``; the logits carry a mask that hides the target
padding (``compile``'s loss and metrics are masked like any Keras output mask). Two ways to
call ``fit``/``evaluate``:

* ``fit((src, tgt_in), tgt_out)``: you shift, e.g. ``tgt_in = tgt[:, :-1]``, ``tgt_out = tgt[:, 1:]``;
* ``fit(src, tgt)``: ``tgt`` is the full target ``[start] y1 .. yn [end] 0 ..`` and the model shifts.

Dynamic teacher forcing. While training, the previous-token input of each decoder step is,
for each sequence independently, the ground truth with probability
``model.teacher_forcing`` and the model's own previous prediction otherwise (scheduled
sampling, Bengio et al. 2015). ``TeacherForcingScheduler`` moves that probability during
``fit``; the value used is logged as ``teacher_forcing`` in the training logs (and in
``History``). With probability 1 (the default) and Luong or no attention, the decoder runs
as one fused recurrent call over the whole target. Evaluation (``evaluate``, validation)
always uses full teacher forcing; free-running quality is measured with decoding.

Inference: ``predict(src)`` returns greedy-decoded ids ``(batch, max_length)``;
``decode(src, beam_width=..., length_penalty=...)`` runs greedy or beam search.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

import kerastorch.seq2seq.decoding as decoding
from kerastorch import layers, losses
from kerastorch.backend import config as backend_config
from kerastorch.models.model import Model
from kerastorch.seq2seq.datasets import END_ID, PAD_ID, START_ID
from kerastorch.trainer.data import unpack_x_y_sample_weight

_ATTENTIONS = {"dot": "dot", "luong": "dot", "general": "general", "additive": "additive", "bahdanau": "additive",
               "concat": "additive", None: None, "none": None}
_CELLS = {"lstm": "lstm", "gru": "gru"}


class Memory:
    """What the encoder hands the decoder: per-position values, attention keys and the source mask."""

    __slots__ = ("values", "keys", "mask")

    def __init__(self, values: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor):
        self.values, self.keys, self.mask = values, keys, mask

    def index_select(self, index: torch.Tensor) -> "Memory":
        return Memory(self.values.index_select(0, index), self.keys.index_select(0, index),
                      self.mask.index_select(0, index))


class Seq2Seq(Model):
    """Recurrent encoder-decoder with attention, dynamic teacher forcing, greedy and beam-search decoding.

    Args:
        source_vocab_size: ``input_dim`` of the source embedding (ids ``0..size-1``, 0 is padding).
        target_vocab_size: size of the target vocabulary (the number of output logits).
        embedding_dim: width of both embeddings.
        units: width of the decoder state (and of the encoder outputs; a bidirectional encoder
            uses ``units // 2`` per direction).
        cell: ``"lstm"`` or ``"gru"``.
        attention: ``"dot"``/``"luong"``, ``"general"``, ``"additive"``/``"bahdanau"`` or ``None``.
        bidirectional: bidirectional encoder.
        dropout: dropout rate on the embeddings and on the attentional readout.
        teacher_forcing: initial probability of feeding the ground-truth previous token in training.
        sampling: how the model's own previous token is chosen when it is fed: ``"argmax"`` or
            ``"sample"`` (drawn from the softmax, as in Bengio et al. 2015).
        max_output_length: default ``max_length`` of decoding (tokens generated, end token included).
        pad_token, start_token, end_token: target ids (the defaults of ``kerastorch.seq2seq.datasets``).
    """

    def __init__(self, source_vocab_size: int, target_vocab_size: int, embedding_dim: int = 64, units: int = 128,
                 cell: str = "lstm", attention: str | None = "dot", bidirectional: bool = True,
                 dropout: float = 0.0, teacher_forcing: float = 1.0, sampling: str = "argmax",
                 max_output_length: int = 50, pad_token: int = PAD_ID, start_token: int = START_ID,
                 end_token: int = END_ID, **kwargs):
        super().__init__(**kwargs)
        cell_key = str(cell).lower()
        if cell_key not in _CELLS:
            raise ValueError(f"`cell` should be 'lstm' or 'gru'; received cell={cell!r}.")
        att_key = attention.lower() if isinstance(attention, str) else attention
        if att_key not in _ATTENTIONS:
            raise ValueError(f"`attention` should be one of 'dot' ('luong'), 'general', 'additive' ('bahdanau') or "
                             f"None; received attention={attention!r}.")
        if bidirectional and units % 2:
            raise ValueError(f"A bidirectional encoder splits `units` between its two directions, so `units` must "
                             f"be even; received units={units}.")
        if sampling not in ("argmax", "sample"):
            raise ValueError(f"`sampling` should be 'argmax' or 'sample'; received sampling={sampling!r}.")
        for label, size in (("source_vocab_size", source_vocab_size), ("target_vocab_size", target_vocab_size)):
            if not isinstance(size, (int, np.integer)) or size < 2:
                raise ValueError(f"`{label}` should be an integer >= 2; received {size!r}.")
        self.source_vocab_size = int(source_vocab_size)
        self.target_vocab_size = int(target_vocab_size)
        self.embedding_dim = int(embedding_dim)
        self.units = int(units)
        self.cell_type = _CELLS[cell_key]
        self.attention_type = _ATTENTIONS[att_key]
        self._attention_arg = attention
        self.bidirectional = bool(bidirectional)
        self.dropout_rate = float(dropout)
        self.teacher_forcing = float(teacher_forcing)
        self.sampling = sampling
        self.max_output_length = int(max_output_length)
        self.pad_token, self.start_token, self.end_token = int(pad_token), int(start_token), int(end_token)

        rnn_cls = layers.LSTM if self.cell_type == "lstm" else layers.GRU
        enc_units = self.units // 2 if self.bidirectional else self.units
        self.source_embedding = layers.Embedding(self.source_vocab_size, self.embedding_dim, mask_zero=True,
                                                 name="source_embedding")
        encoder_rnn = rnn_cls(enc_units, return_sequences=True, return_state=True, name="encoder_rnn")
        self.encoder = layers.Bidirectional(encoder_rnn, name="encoder") if self.bidirectional else encoder_rnn
        self.target_embedding = layers.Embedding(self.target_vocab_size, self.embedding_dim,
                                                 name="target_embedding")
        self.decoder_rnn = rnn_cls(self.units, return_sequences=True, return_state=True, name="decoder_rnn")
        self.embedding_dropout = layers.Dropout(self.dropout_rate, name="embedding_dropout")
        self.readout_dropout = layers.Dropout(self.dropout_rate, name="readout_dropout")
        if self.attention_type is not None:
            if self.attention_type == "additive":
                self.query_projection = layers.Dense(self.units, use_bias=False, name="query_projection")
                self.key_projection = layers.Dense(self.units, use_bias=False, name="key_projection")
                self.attention = layers.AdditiveAttention(name="attention")
            else:
                if self.attention_type == "general":
                    self.key_projection = layers.Dense(self.units, use_bias=False, name="key_projection")
                self.attention = layers.Attention(name="attention")
            self.attentional = layers.Dense(self.units, activation="tanh", name="attentional")
        self.output_projection = layers.Dense(self.target_vocab_size, name="output_projection")

    # ------------------------------------------------------------------ encoder
    def encode(self, src, training: bool = False) -> tuple[Memory, list[torch.Tensor]]:
        """Run the encoder: the attention memory and the decoder's initial states."""
        src = self._as_ids(src)
        mask = src != self.pad_token
        x = self.source_embedding(src)
        x = self.embedding_dropout(x, training=training)
        x._keras_mask = mask
        outs = self.encoder(x, training=training)
        values, states = outs[0], list(outs[1:])
        if self.bidirectional:
            half = len(states) // 2
            states = [torch.cat([f, b], dim=-1) for f, b in zip(states[:half], states[half:])]
        keys = values
        if self.attention_type in ("general", "additive"):
            keys = self.key_projection(values)
        return Memory(values, keys, mask), states

    # ------------------------------------------------------------------ decoder
    def _attend(self, query: torch.Tensor, memory: Memory, training: bool) -> torch.Tensor:
        """Context vectors for queries ``(B, T, units)``: ``(B, T, units)``."""
        if self.attention_type == "additive":
            query = self.query_projection(query)
        return self.attention([query, memory.values, memory.keys], mask=[None, memory.mask], training=training)

    def _readout(self, hidden: torch.Tensor, context: torch.Tensor | None, training: bool) -> torch.Tensor:
        if context is not None:
            hidden = self.attentional(torch.cat([context, hidden], dim=-1))
        hidden = self.readout_dropout(hidden, training=training)
        return self.output_projection(hidden)

    def decode_step(self, tokens: torch.Tensor, states: list[torch.Tensor], memory: Memory,
                    training: bool = False) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """One decoder step: previous ids ``(B,)`` -> logits ``(B, vocab)`` and the new states."""
        x = self.target_embedding(tokens)
        x = self.embedding_dropout(x, training=training)
        context = None
        if self.attention_type == "additive":
            context = self._attend(states[0].unsqueeze(1), memory, training)[:, 0]
            x = torch.cat([x, context], dim=-1)
        h, new_states = self.decoder_rnn.cell(x, list(states), training=training)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if self.attention_type in ("dot", "general"):
            context = self._attend(h.unsqueeze(1), memory, training)[:, 0]
        return self._readout(h, context, training), new_states

    def _decode_teacher_forced(self, tgt_in, states, memory, training):
        """All steps at once (ground truth fed everywhere): one fused recurrent call."""
        x = self.target_embedding(tgt_in)
        x = self.embedding_dropout(x, training=training)
        hidden = self.decoder_rnn(x, initial_state=states, training=training)[0]
        context = self._attend(hidden, memory, training) if self.attention_type is not None else None
        return self._readout(hidden, context, training)

    def _decode_loop(self, tgt_in, states, memory, training, teacher_forcing: float):
        """Step by step; each step's input is the ground truth with probability ``teacher_forcing``."""
        steps = tgt_in.shape[1]
        tokens = tgt_in[:, 0]
        outputs = []
        for t in range(steps):
            logits, states = self.decode_step(tokens, states, memory, training)
            outputs.append(logits)
            if t + 1 == steps:
                break
            truth = tgt_in[:, t + 1]
            if teacher_forcing >= 1.0:
                tokens = truth
                continue
            with torch.no_grad():
                # The model's own token, chosen as at inference: never padding nor the start token.
                choice = logits.detach().float().clone()
                choice[:, self.pad_token] = float("-inf")
                choice[:, self.start_token] = float("-inf")
                if self.sampling == "sample":
                    own = torch.multinomial(torch.softmax(choice, dim=-1), 1)[:, 0]
                else:
                    own = choice.argmax(dim=-1)
                if teacher_forcing <= 0.0:
                    tokens = own.to(truth.dtype)
                else:
                    coin = torch.rand(truth.shape[0], device=truth.device) < teacher_forcing
                    tokens = torch.where(coin, truth, own.to(truth.dtype))
        return torch.stack(outputs, dim=1)

    # --------------------------------------------------------------------- call
    def call(self, inputs, training=None):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError(
                f'Seq2Seq "{self.name}" is called on `(src, tgt_in)`: source ids (batch, src_len) and the decoder '
                "inputs (batch, tgt_len), which start with the start token. Received "
                f"{type(inputs).__name__}. To translate source ids, use `model.decode(src)` or `model.predict(src)`.")
        src, tgt_in = self._as_ids(inputs[0]), self._as_ids(inputs[1])
        training = bool(training)
        memory, states = self.encode(src, training)
        p = self.teacher_forcing if training else 1.0
        if p >= 1.0 and self.attention_type != "additive":
            return self._decode_teacher_forced(tgt_in, states, memory, training)
        return self._decode_loop(tgt_in, states, memory, training, p)

    def compute_mask(self, inputs, mask=None):
        """Target positions to score: those whose *next* token is not padding (``tgt_in`` not pad nor end)."""
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            return None
        tgt_in = self._as_ids(inputs[1])
        return (tgt_in != self.pad_token) & (tgt_in != self.end_token)

    def build(self, input_shape) -> None:
        """Build the weights by running the model once on small id tensors (shapes ``[(B, S), (B, T)]``)."""
        if self.built:
            return
        device = next((p.device for p in self.parameters()), backend_config.get_device())
        src = torch.full((1, 2), 4 % self.source_vocab_size, dtype=torch.long, device=device)
        tgt = torch.full((1, 2), self.start_token, dtype=torch.long, device=device)
        with torch.no_grad():
            self.call((src, tgt), training=False)
            if self.attention_type != "additive":  # build the cell path too (it shares the RNN's weights)
                memory, states = self.encode(src)
                self.decode_step(tgt[:, 0], states, memory)
        self.built = True

    # ------------------------------------------------------------------- training
    def compile(self, optimizer="adam", loss="auto", metrics=None, **kwargs) -> None:
        """Like ``Model.compile``; ``loss="auto"`` is ``SparseCategoricalCrossentropy(from_logits=True)``."""
        if isinstance(loss, str) and loss == "auto":
            loss = losses.SparseCategoricalCrossentropy(from_logits=True)
        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)

    def _shift(self, data):
        """``(src, tgt)`` -> ``((src, tgt[:, :-1]), tgt[:, 1:])``; ``((src, tgt_in), tgt_out)`` unchanged."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        if isinstance(x, (list, tuple)):
            return x, y, sample_weight
        if y is None:
            raise ValueError("Seq2Seq training needs targets: `fit(src, tgt)` (full targets, shifted by the model) "
                             "or `fit((src, tgt_in), tgt_out)`.")
        y = self._as_ids(y)
        if sample_weight is not None and sample_weight.ndim == 2:
            sample_weight = sample_weight[:, 1:]
        return (x, y[:, :-1]), y[:, 1:], sample_weight

    def train_step(self, data):
        x, y, sample_weight = self._shift(data)
        p = float(self.teacher_forcing)
        logs = super().train_step((x, y, sample_weight))
        return _LogsWithExtras(logs, {"teacher_forcing": p})

    def test_step(self, data):
        return super().test_step(self._shift(data))

    def predict_step(self, data):
        x, _, _ = unpack_x_y_sample_weight(data)
        if isinstance(x, (list, tuple)):
            return self(x, training=False)
        return self.greedy_decode(x)

    # ------------------------------------------------------------------- inference
    def greedy_decode(self, src, max_length: int | None = None) -> torch.Tensor:
        """Greedy ids ``(batch, max_length)`` (end token included, then padding); a torch tensor."""
        self._ensure_built()
        max_length = self.max_output_length if max_length is None else max_length
        return decoding.greedy_search(self, self._as_ids(src), max_length,
                                      self.start_token, self.end_token, self.pad_token)[0]

    def decode(self, src, beam_width: int = 1, max_length: int | None = None, length_penalty: float = 0.0,
               end_token: int | None = None, batch_size: int = 256, return_scores: bool = False):
        """Translate source ids (numpy or torch, ``(batch, src_len)``) to target ids, as numpy.

        ``beam_width=1`` is greedy decoding. Scores are the sequences' log-probabilities divided by
        the GNMT length penalty ``((5 + length) / 6) ** length_penalty`` (see ``decoding.py``).
        Returns ``ids`` of shape ``(batch, max_length)`` (or ``(ids, scores)``).
        """
        self._ensure_built()
        if not isinstance(beam_width, (int, np.integer)) or beam_width < 1:
            raise ValueError(f"`beam_width` should be an integer >= 1; received {beam_width!r}.")
        end = self.end_token if end_token is None else int(end_token)
        max_length = decoding._check_max_length(self.max_output_length if max_length is None else max_length)
        src = self._as_ids(src)
        was_training = self.training
        self.eval()
        ids, scores = [], []
        try:
            with torch.no_grad():
                for start in range(0, src.shape[0], batch_size):
                    chunk = src[start:start + batch_size]
                    if beam_width == 1:
                        out, score, _ = decoding.greedy_search(self, chunk, max_length, self.start_token, end,
                                                               self.pad_token, length_penalty)
                    else:
                        out, score = decoding.beam_search(self, chunk, beam_width, max_length, self.start_token,
                                                          end, self.pad_token, length_penalty)
                    ids.append(out.cpu().numpy())
                    scores.append(score.cpu().numpy())
        finally:
            self.train(was_training)
        ids = np.concatenate(ids) if ids else np.zeros((0, max_length), dtype="int64")
        if return_scores:
            return ids, (np.concatenate(scores) if scores else np.zeros((0,), dtype="float32"))
        return ids

    def score(self, src, sequences, length_penalty: float = 0.0) -> np.ndarray:
        """Log-probability of given target ids (no start token; up to and including the end token),
        divided by the same length penalty as ``decode``; numpy ``(batch,)``."""
        self._ensure_built()
        was_training = self.training
        self.eval()
        try:
            with torch.no_grad():
                out = decoding.score_sequences(self, self._as_ids(src), self._as_ids(sequences), self.start_token,
                                               self.end_token, self.pad_token, length_penalty)
        finally:
            self.train(was_training)
        return out.cpu().numpy()

    def sequence_accuracy(self, src, tgt, beam_width: int = 1, batch_size: int = 256, **kwargs) -> float:
        """Exact-match accuracy of decoded sequences against targets (``tgt`` with or without start token)."""
        tgt = np.asarray(tgt.cpu() if isinstance(tgt, torch.Tensor) else tgt)
        pred = self.decode(src, beam_width=beam_width, batch_size=batch_size,
                           max_length=kwargs.pop("max_length", None) or max(self.max_output_length, tgt.shape[1]),
                           **kwargs)
        return decoding.sequence_accuracy(tgt, pred, start_token=self.start_token, end_token=self.end_token,
                                          pad_token=self.pad_token)

    # -------------------------------------------------------------------- helpers
    def _ensure_built(self) -> None:
        if not self.built:
            self.build(None)

    def _as_ids(self, x) -> torch.Tensor:
        if isinstance(x, np.ndarray) or not isinstance(x, torch.Tensor):
            x = torch.as_tensor(np.asarray(x))
        if x.dtype not in (torch.int64, torch.int32):
            x = x.long()
        first = next(self.parameters(), None)
        if first is not None and x.device != first.device:
            x = x.to(first.device)
        return x

    def get_config(self) -> dict:
        return {**super().get_config(), "source_vocab_size": self.source_vocab_size,
                "target_vocab_size": self.target_vocab_size, "embedding_dim": self.embedding_dim,
                "units": self.units, "cell": self.cell_type, "attention": self._attention_arg,
                "bidirectional": self.bidirectional, "dropout": self.dropout_rate,
                "teacher_forcing": self.teacher_forcing, "sampling": self.sampling,
                "max_output_length": self.max_output_length, "pad_token": self.pad_token,
                "start_token": self.start_token, "end_token": self.end_token}


class _LogsWithExtras(Mapping):
    """The trainer's lazy metric logs plus a few plain values (here the teacher-forcing probability)."""

    __slots__ = ("_base", "_extras")

    def __init__(self, base: Mapping, extras: dict[str, Any]):
        self._base, self._extras = base, extras

    def __getitem__(self, key):
        if key in self._extras:
            return self._extras[key]
        return self._base[key]

    def __iter__(self):
        yield from self._base
        yield from (k for k in self._extras if k not in self._base)

    def __len__(self) -> int:
        return len(self._base) + sum(1 for k in self._extras if k not in self._base)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())})"
