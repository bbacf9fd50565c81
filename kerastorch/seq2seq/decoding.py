"""Batched greedy decoding, beam search, sequence scoring and exact-match accuracy.

The functions drive any model that offers the two methods of :class:`~kerastorch.seq2seq.Seq2Seq`:

* ``model.encode(src) -> (memory, states)``, where ``memory.index_select(index)`` and
  ``states`` (a list of ``(batch, ...)`` tensors) can be gathered along the batch axis;
* ``model.decode_step(tokens, states, memory) -> (logits, new_states)`` for previous ids ``(batch,)``.

Scores. A hypothesis ``y_1 .. y_n`` (ending with the end token, or cut at ``max_length``) scores
``log p(y_1 .. y_n | x) / lp(n)`` with the GNMT length penalty (Wu et al. 2016)
``lp(n) = ((5 + n) / 6) ** length_penalty``; ``length_penalty=0`` scores the plain log-probability,
larger values favour longer outputs.

Beam search keeps ``beam_width`` hypotheses per example, ranked by that penalized score;
a hypothesis that emitted the end token stays in the beam with its score frozen. Plain beam
search can return a *lower*-scoring sequence than greedy decoding (the greedy prefix may be
pruned by prefixes that later fall behind), so the greedy hypothesis runs as one extra lane
of the same batch and is a candidate of the final choice: a beam never returns a sequence
that scores lower than greedy decoding (with the same length penalty), and ``beam_width=1``
is exactly greedy decoding.

Outputs are ``(batch, max_length)`` id tensors: the generated ids (no start token), the end
token, then ``pad_token``. The padding and start ids are never generated; scores are the
model's log-probabilities (normalized over the whole vocabulary) of the generated ids.
"""
from __future__ import annotations

import numpy as np
import torch

__all__ = ["length_penalty_factor", "greedy_search", "beam_search", "score_sequences", "sequence_accuracy",
           "strip_sequences"]


def length_penalty_factor(lengths: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT's ``((5 + length) / 6) ** alpha`` (ones when ``alpha == 0``)."""
    lengths = lengths.to(torch.float32)
    if alpha == 0:
        return torch.ones_like(lengths)
    return ((5.0 + lengths) / 6.0) ** float(alpha)


def _check_max_length(max_length) -> int:
    if not isinstance(max_length, (int, np.integer)) or max_length < 1:
        raise ValueError(f"`max_length` should be a positive integer; received {max_length!r}.")
    return int(max_length)


def _never_generate(logp: torch.Tensor, pad_token: int, start_token: int) -> torch.Tensor:
    """Padding and the start token are never generated (their log-probabilities become -inf)."""
    logp = logp.clone()
    logp[:, pad_token] = float("-inf")
    if start_token != pad_token:
        logp[:, start_token] = float("-inf")
    return logp


def _gather_states(states, index: torch.Tensor):
    return [s.index_select(0, index) for s in states]


@torch.no_grad()
def greedy_search(model, src: torch.Tensor, max_length: int, start_token: int, end_token: int, pad_token: int = 0,
                  length_penalty: float = 0.0):
    """Greedy decoding: ``(ids (B, max_length), penalized scores (B,), lengths (B,))``."""
    max_length = _check_max_length(max_length)
    memory, states = model.encode(src)
    batch = src.shape[0]
    device = src.device
    tokens = torch.full((batch,), start_token, dtype=torch.long, device=device)
    finished = torch.zeros(batch, dtype=torch.bool, device=device)
    logprob = torch.zeros(batch, dtype=torch.float32, device=device)
    lengths = torch.zeros(batch, dtype=torch.long, device=device)
    out = torch.full((batch, max_length), pad_token, dtype=torch.long, device=device)
    for t in range(max_length):
        logits, states = model.decode_step(tokens, states, memory)
        logp = _never_generate(torch.log_softmax(logits.float(), dim=-1), pad_token, start_token)
        best = logp.argmax(dim=-1)
        live = ~finished
        logprob = logprob + torch.where(live, logp.gather(1, best[:, None])[:, 0], torch.zeros_like(logprob))
        lengths = lengths + live.long()
        best = torch.where(live, best, torch.full_like(best, pad_token))
        out[:, t] = best
        finished = finished | (best == end_token)
        tokens = best
        if bool(finished.all()):
            break
    return out, logprob / length_penalty_factor(lengths, length_penalty), lengths


@torch.no_grad()
def beam_search(model, src: torch.Tensor, beam_width: int, max_length: int, start_token: int, end_token: int,
                pad_token: int = 0, length_penalty: float = 0.0, include_greedy: bool = True,
                return_all: bool = False):
    """Batched beam search: ``(ids (B, max_length), penalized scores (B,))``.

    With ``return_all=True``: ``(ids (B, K, max_length), scores (B, K))`` of the final beam, best
    first (the greedy lane is then left out).
    """
    max_length = _check_max_length(max_length)
    if beam_width < 1:
        raise ValueError(f"`beam_width` should be >= 1; received {beam_width}.")
    memory, states = model.encode(src)
    batch, k = src.shape[0], int(beam_width)
    lanes = k + 1 if include_greedy and not return_all else k  # lane k of each example: greedy
    device = src.device
    expand = torch.arange(batch, device=device).repeat_interleave(lanes)
    memory = memory.index_select(expand)
    states = _gather_states(states, expand)

    neg_inf = torch.tensor(float("-inf"), device=device)
    beam_logprob = torch.full((batch, k), float("-inf"), device=device)
    beam_logprob[:, 0] = 0.0
    beam_len = torch.zeros((batch, k), dtype=torch.long, device=device)
    beam_done = torch.zeros((batch, k), dtype=torch.bool, device=device)
    beam_seq = torch.full((batch, k, max_length), pad_token, dtype=torch.long, device=device)
    greedy = None
    if lanes > k:
        greedy = {"logprob": torch.zeros(batch, device=device),
                  "len": torch.zeros(batch, dtype=torch.long, device=device),
                  "done": torch.zeros(batch, dtype=torch.bool, device=device),
                  "seq": torch.full((batch, max_length), pad_token, dtype=torch.long, device=device)}
    tokens = torch.full((batch * lanes,), start_token, dtype=torch.long, device=device)
    lane_base = torch.arange(batch, device=device)[:, None] * lanes

    for t in range(max_length):
        logits, states = model.decode_step(tokens, states, memory)
        logp = _never_generate(torch.log_softmax(logits.float(), dim=-1), pad_token, start_token)
        logp = logp.view(batch, lanes, -1)
        vocab = logp.shape[-1]
        beam_logp = logp[:, :k]
        # A finished hypothesis may only continue with padding, at no cost.
        frozen = torch.full((vocab,), float("-inf"), device=device)
        frozen[pad_token] = 0.0
        beam_logp = torch.where(beam_done[..., None], frozen, beam_logp)
        cand_logprob = beam_logprob[..., None] + beam_logp                      # (B, K, V)
        cand_len = beam_len + (~beam_done).long()                               # (B, K)
        cand_score = cand_logprob / length_penalty_factor(cand_len, length_penalty)[..., None]
        top_score, top_index = cand_score.view(batch, -1).topk(k, dim=-1)       # (B, K)
        src_beam = torch.div(top_index, vocab, rounding_mode="floor")
        new_tok = top_index % vocab
        beam_logprob = cand_logprob.view(batch, -1).gather(1, top_index)
        beam_logprob = torch.where(torch.isinf(top_score) & (top_score < 0), neg_inf, beam_logprob)
        was_done = beam_done.gather(1, src_beam)
        beam_len = beam_len.gather(1, src_beam) + (~was_done).long()
        beam_seq = beam_seq.gather(1, src_beam[..., None].expand(-1, -1, max_length)).clone()
        beam_seq[:, :, t] = new_tok
        beam_done = was_done | (new_tok == end_token)
        # Reorder the decoder states: beams follow their parents, the greedy lane stays put.
        order = src_beam
        next_tokens = new_tok
        if greedy is not None:
            g_logp = logp[:, k]
            g_best = g_logp.argmax(dim=-1)
            g_live = ~greedy["done"]
            greedy["logprob"] = greedy["logprob"] + torch.where(g_live, g_logp.gather(1, g_best[:, None])[:, 0],
                                                                torch.zeros_like(greedy["logprob"]))
            greedy["len"] = greedy["len"] + g_live.long()
            g_best = torch.where(g_live, g_best, torch.full_like(g_best, pad_token))
            greedy["seq"][:, t] = g_best
            greedy["done"] = greedy["done"] | (g_best == end_token)
            order = torch.cat([order, torch.full((batch, 1), k, dtype=torch.long, device=device)], dim=1)
            next_tokens = torch.cat([next_tokens, g_best[:, None]], dim=1)
        states = _gather_states(states, (lane_base + order).view(-1))
        tokens = next_tokens.reshape(-1)
        if bool(beam_done.all()) and (greedy is None or bool(greedy["done"].all())):
            break

    final = beam_logprob / length_penalty_factor(beam_len, length_penalty)
    if return_all:
        final, order = final.sort(dim=1, descending=True)
        return beam_seq.gather(1, order[..., None].expand(-1, -1, max_length)), final
    best_score, best = final.max(dim=1)
    best_seq = beam_seq[torch.arange(batch, device=device), best]
    if greedy is not None:
        g_score = greedy["logprob"] / length_penalty_factor(greedy["len"], length_penalty)
        use_greedy = g_score > best_score
        best_seq = torch.where(use_greedy[:, None], greedy["seq"], best_seq)
        best_score = torch.where(use_greedy, g_score, best_score)
    return best_seq, best_score


@torch.no_grad()
def score_sequences(model, src: torch.Tensor, sequences: torch.Tensor, start_token: int, end_token: int,
                    pad_token: int = 0, length_penalty: float = 0.0) -> torch.Tensor:
    """Penalized log-probability of ``sequences`` (B, L) -- ids after the start token, up to the end token
    (or the padding or the last column) -- under the model, computed step by step like decoding."""
    memory, states = model.encode(src)
    batch, steps = sequences.shape
    device = src.device
    sequences = sequences.to(device=device, dtype=torch.long)
    tokens = torch.full((batch,), start_token, dtype=torch.long, device=device)
    live = torch.ones(batch, dtype=torch.bool, device=device)
    logprob = torch.zeros(batch, device=device)
    lengths = torch.zeros(batch, dtype=torch.long, device=device)
    for t in range(steps):
        target = sequences[:, t]
        live = live & (target != pad_token)
        if not bool(live.any()):
            break
        logits, states = model.decode_step(tokens, states, memory)
        logp = torch.log_softmax(logits.float(), dim=-1).gather(1, target[:, None])[:, 0]
        logprob = logprob + torch.where(live, logp, torch.zeros_like(logp))
        lengths = lengths + live.long()
        live = live & (target != end_token)
        tokens = target
    return logprob / length_penalty_factor(lengths, length_penalty)


def strip_sequences(ids, start_token: int = 1, end_token: int = 2, pad_token: int = 0) -> list[tuple[int, ...]]:
    """Each row as a tuple of ids: a leading start token dropped, cut at the end token, padding removed."""
    rows = []
    for row in np.asarray(ids.cpu() if isinstance(ids, torch.Tensor) else ids).tolist():
        if row and row[0] == start_token:
            row = row[1:]
        out = []
        for i in row:
            if i == end_token:
                break
            if i != pad_token:
                out.append(i)
        rows.append(tuple(out))
    return rows


def sequence_accuracy(y_true, y_pred, start_token: int = 1, end_token: int = 2, pad_token: int = 0) -> float:
    """Fraction of rows where the decoded ids equal the target ids exactly (special tokens ignored)."""
    true_rows = strip_sequences(y_true, start_token, end_token, pad_token)
    pred_rows = strip_sequences(y_pred, start_token, end_token, pad_token)
    if len(true_rows) != len(pred_rows):
        raise ValueError(f"y_true has {len(true_rows)} rows but y_pred has {len(pred_rows)}.")
    if not true_rows:
        return 0.0
    return float(np.mean([a == b for a, b in zip(true_rows, pred_rows)]))
