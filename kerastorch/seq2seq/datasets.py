"""Synthetic translation tasks for sequence-to-sequence models (nothing is downloaded).

Two generators, both deterministic given ``seed``:

* :func:`dates` -- a date written in one of many surface forms ("twenty-third of march
  1994", "3/23/94", "Mar 23, 1994", "23.03.1994", "tuesday, march 23, 1994", ...) to ISO
  ``"1994-03-23"``. The day and the month swap places between forms (``m/d/yy`` versus
  ``dd.mm.yyyy``), days and years may be spelled out, and weekday names are noise the
  model has to skip, so a decoder has to look at different source positions for each
  output character: attention matters.
* :func:`numbers` -- a number spelled out in English ("three hundred twelve thousand and
  five") to its digits (``"312005"``).

Both return a :class:`TranslationDataset`: character-level, post-padded ``int32`` arrays
(pad id 0) plus the two :class:`Vocabulary` objects that encode and decode strings.
Targets are ``[start] chars... [end] 0 0 ...``; sources carry no start/end tokens. The
test pairs are held out: no test source string occurs in the training set.

    from kerastorch.seq2seq import datasets
    data = datasets.dates(num_train=10000, num_test=1000, seed=0)
    (src_train, tgt_train), (src_test, tgt_test) = data.load_data()
    data.src_vocab.decode(src_test[0]), data.tgt_vocab.decode(tgt_test[0])
"""
from __future__ import annotations

import datetime
import string
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

PAD_ID, START_ID, END_ID, UNK_ID = 0, 1, 2, 3
SPECIAL_TOKENS = ("<pad>", "<start>", "<end>", "<unk>")

__all__ = ["PAD_ID", "START_ID", "END_ID", "UNK_ID", "Vocabulary", "TranslationDataset", "dates", "date_pairs",
           "format_date", "DATE_FORMATS", "numbers", "number_pairs", "spell_number"]


# --------------------------------------------------------------------------- vocabulary
class Vocabulary:
    """A character vocabulary with ids 0..3 reserved for ``<pad> <start> <end> <unk>``.

    ``encode`` maps a string to ids (unknown characters to ``unk_id``); ``decode`` maps ids
    back, stopping at the end token and dropping the other special tokens.
    """

    def __init__(self, characters: Iterable[str]):
        chars: list[str] = []
        for c in characters:
            if len(c) != 1:
                raise ValueError(f"A Vocabulary holds single characters; received {c!r}.")
            if c not in chars:
                chars.append(c)
        self.characters = chars
        self.id_to_token = list(SPECIAL_TOKENS) + chars
        self.token_to_id = {c: i + len(SPECIAL_TOKENS) for i, c in enumerate(chars)}

    pad_id, start_id, end_id, unk_id = PAD_ID, START_ID, END_ID, UNK_ID

    @property
    def size(self) -> int:
        """Number of ids (special tokens included): the ``input_dim`` of an Embedding over it."""
        return len(self.id_to_token)

    def __len__(self) -> int:
        return self.size

    def encode(self, text: str, add_start: bool = False, add_end: bool = False) -> list[int]:
        ids = [self.token_to_id.get(c, UNK_ID) for c in text]
        if add_start:
            ids = [START_ID] + ids
        if add_end:
            ids = ids + [END_ID]
        return ids

    def decode(self, ids: Iterable[int], stop_at_end: bool = True) -> str:
        out = []
        for i in np.asarray(ids).reshape(-1).tolist():
            if i == END_ID and stop_at_end:
                break
            if i < len(SPECIAL_TOKENS):
                continue
            out.append(self.id_to_token[i] if i < len(self.id_to_token) else SPECIAL_TOKENS[UNK_ID])
        return "".join(out)

    def encode_batch(self, texts: Sequence[str], maxlen: int | None = None, add_start: bool = False,
                     add_end: bool = False) -> np.ndarray:
        """Encode and post-pad with 0 to ``maxlen`` (default: the longest); longer texts raise."""
        encoded = [self.encode(t, add_start, add_end) for t in texts]
        longest = max((len(e) for e in encoded), default=0)
        if maxlen is None:
            maxlen = longest
        elif longest > maxlen:
            raise ValueError(f"A text encodes to {longest} ids, more than maxlen={maxlen}. Pass a larger maxlen.")
        out = np.zeros((len(encoded), maxlen), dtype="int32")
        for i, e in enumerate(encoded):
            out[i, :len(e)] = e
        return out

    def decode_batch(self, ids: np.ndarray, stop_at_end: bool = True) -> list[str]:
        return [self.decode(row, stop_at_end) for row in np.asarray(ids)]

    def get_config(self) -> dict:
        return {"characters": "".join(self.characters)}

    @classmethod
    def from_config(cls, config: dict) -> "Vocabulary":
        return cls(config["characters"])

    def __repr__(self) -> str:
        return f"Vocabulary(size={self.size}, characters={''.join(self.characters)!r})"


@dataclass
class TranslationDataset:
    """Padded id arrays of a train/test split, the string pairs they encode, and the vocabularies."""
    src_train: np.ndarray
    tgt_train: np.ndarray
    src_test: np.ndarray
    tgt_test: np.ndarray
    src_vocab: Vocabulary
    tgt_vocab: Vocabulary
    train_pairs: list = field(repr=False, default_factory=list)
    test_pairs: list = field(repr=False, default_factory=list)

    def load_data(self):
        """``(src_train, tgt_train), (src_test, tgt_test)``, like ``keras.datasets.*.load_data()``."""
        return (self.src_train, self.tgt_train), (self.src_test, self.tgt_test)

    @property
    def max_source_length(self) -> int:
        return int(self.src_train.shape[1])

    @property
    def max_target_length(self) -> int:
        """Target length without the start token (what a decoder generates, end token included)."""
        return int(self.tgt_train.shape[1]) - 1

    def encode_sources(self, texts: Sequence[str]) -> np.ndarray:
        return self.src_vocab.encode_batch(texts, maxlen=self.max_source_length)

    def decode_targets(self, ids: np.ndarray) -> list[str]:
        return self.tgt_vocab.decode_batch(ids)


def _build(pairs_iter: Callable[[np.random.Generator], tuple[str, str]], num_train: int, num_test: int,
           seed: int, src_chars: str, tgt_chars: str) -> TranslationDataset:
    if num_train < 1 or num_test < 0:
        raise ValueError(f"Expected num_train >= 1 and num_test >= 0; received num_train={num_train}, "
                         f"num_test={num_test}.")
    rng = np.random.default_rng(seed)
    wanted = num_train + num_test
    seen: dict[str, str] = {}
    tries = 0
    while len(seen) < wanted:
        src, tgt = pairs_iter(rng)
        seen.setdefault(src, tgt)
        tries += 1
        if tries > 50 * wanted + 10000:
            raise ValueError(f"Could not draw {wanted} distinct source strings (got {len(seen)}); ask for fewer.")
    pairs = list(seen.items())  # insertion order: deterministic given the seed
    order = rng.permutation(len(pairs))
    pairs = [pairs[i] for i in order]
    train_pairs, test_pairs = pairs[:num_train], pairs[num_train:]
    src_vocab, tgt_vocab = Vocabulary(src_chars), Vocabulary(tgt_chars)
    src_len = max(len(s) for s, _ in pairs)
    tgt_len = max(len(t) for _, t in pairs) + 2

    def arrays(ps):
        src = src_vocab.encode_batch([s for s, _ in ps], maxlen=src_len)
        tgt = tgt_vocab.encode_batch([t for _, t in ps], maxlen=tgt_len, add_start=True, add_end=True)
        return src, tgt

    src_train, tgt_train = arrays(train_pairs)
    src_test, tgt_test = arrays(test_pairs)
    return TranslationDataset(src_train, tgt_train, src_test, tgt_test, src_vocab, tgt_vocab, train_pairs, test_pairs)


# --------------------------------------------------------------------------- English words
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_UNITS = ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                  "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                  "seventeenth", "eighteenth", "nineteenth"]
_ORDINAL_TENS = {20: "twentieth", 30: "thirtieth"}
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _two_digits(n: int) -> str:
    """0..99 in words ("forty-two")."""
    if n < 20:
        return _UNITS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] + ("-" + _UNITS[unit] if unit else "")


def _ordinal_word(n: int) -> str:
    """1..31 as an ordinal word ("twenty-third")."""
    if n < 20:
        return _ORDINAL_UNITS[n]
    if n in _ORDINAL_TENS:
        return _ORDINAL_TENS[n]
    tens, unit = divmod(n, 10)
    return _TENS[tens] + "-" + _ORDINAL_UNITS[unit]


def _ordinal_suffix(n: int) -> str:
    """1..31 with its English suffix ("1st", "12th", "23rd")."""
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def _spell_year(year: int, rng: np.random.Generator) -> str:
    if year < 2000:
        hi, lo = divmod(year, 100)
        tail = "hundred" if lo == 0 else ("oh " + _UNITS[lo] if lo < 10 else _two_digits(lo))
        return f"{_two_digits(hi)} {tail}"
    if year == 2000:
        return "two thousand"
    lo = year - 2000
    if lo < 10 or rng.random() < 0.5:
        return f"two thousand {_two_digits(lo)}"
    return f"twenty {_two_digits(lo)}"


# --------------------------------------------------------------------------- dates
# Two-digit years: 30..99 -> 19xx, 00..29 -> 20xx (the window of the generated dates).
_FIRST_DATE = datetime.date(1930, 1, 1)
_LAST_DATE = datetime.date(2029, 12, 31)


def _date_formats() -> dict[str, Callable[[datetime.date, np.random.Generator], str]]:
    def mon(d):
        return _MONTHS[d.month - 1][:3]

    def month(d):
        return _MONTHS[d.month - 1]

    def yy(d):
        return f"{d.year % 100:02d}"

    return {
        "d month yyyy": lambda d, r: f"{d.day} {month(d)} {d.year}",
        "month d, yyyy": lambda d, r: f"{month(d)} {d.day}, {d.year}",
        "mon d, yyyy": lambda d, r: f"{mon(d)} {d.day}, {d.year}",
        "d mon yy": lambda d, r: f"{d.day} {mon(d)} {yy(d)}",
        "dd-mon-yyyy": lambda d, r: f"{d.day:02d}-{mon(d)}-{d.year}",
        "m/d/yy": lambda d, r: f"{d.month}/{d.day}/{yy(d)}",
        "mm/dd/yyyy": lambda d, r: f"{d.month:02d}/{d.day:02d}/{d.year}",
        "dd.mm.yyyy": lambda d, r: f"{d.day:02d}.{d.month:02d}.{d.year}",
        "yyyy/mm/dd": lambda d, r: f"{d.year}/{d.month:02d}/{d.day:02d}",
        "the dth of month yyyy": lambda d, r: f"the {_ordinal_suffix(d.day)} of {month(d)} {d.year}",
        "month dth, 'yy": lambda d, r: f"{month(d)} {_ordinal_suffix(d.day)}, '{yy(d)}",
        "ordinal of month yyyy": lambda d, r: f"{_ordinal_word(d.day)} of {month(d)} {d.year}",
        "spelled": lambda d, r: f"the {_ordinal_word(d.day)} of {month(d)}, {_spell_year(d.year, r)}",
        "weekday, month d, yyyy": lambda d, r: f"{_WEEKDAYS[d.weekday()]}, {month(d)} {d.day}, {d.year}",
        "wkd, d mon yyyy": lambda d, r: f"{_WEEKDAYS[d.weekday()][:3]}, {d.day} {mon(d)} {d.year}",
    }


DATE_FORMATS: tuple[str, ...] = tuple(_date_formats())
DATE_SOURCE_CHARACTERS = string.ascii_lowercase + string.ascii_uppercase + string.digits + " ,./-'"
DATE_TARGET_CHARACTERS = string.digits + "-"


def _apply_case(text: str, rng: np.random.Generator) -> str:
    u = rng.random()
    if u < 0.65:
        return text
    if u < 0.9:
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return text.upper()


def format_date(date: datetime.date, fmt: str, rng: np.random.Generator | None = None, case: str = "lower") -> str:
    """``date`` written in the surface form ``fmt`` (one of :data:`DATE_FORMATS`).

    ``case`` is ``"lower"``, ``"title"``, ``"upper"`` or ``"random"`` (what :func:`dates` uses).
    """
    formats = _date_formats()
    if fmt not in formats:
        raise ValueError(f"Unknown date format {fmt!r}. Valid formats: {list(formats)}")
    rng = rng if rng is not None else np.random.default_rng(0)
    text = formats[fmt](date, rng)
    if case == "random":
        return _apply_case(text, rng)
    if case == "title":
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    if case == "upper":
        return text.upper()
    if case != "lower":
        raise ValueError(f"`case` should be 'lower', 'title', 'upper' or 'random'; received {case!r}.")
    return text


def _date_pair_sampler(formats: Sequence[str]):
    table = _date_formats()
    unknown = [f for f in formats if f not in table]
    if unknown or not formats:
        raise ValueError(f"Unknown date format(s) {unknown}. Valid formats: {list(table)}")
    span = (_LAST_DATE - _FIRST_DATE).days + 1

    def sample(rng: np.random.Generator) -> tuple[str, str]:
        date = _FIRST_DATE + datetime.timedelta(days=int(rng.integers(span)))
        fmt = formats[int(rng.integers(len(formats)))]
        return _apply_case(table[fmt](date, rng), rng), date.isoformat()
    return sample


def date_pairs(n: int, seed: int = 0, formats: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """``n`` (source, ISO target) string pairs, dates uniform in 1930-2029, formats uniform."""
    sample = _date_pair_sampler(list(formats or DATE_FORMATS))
    rng = np.random.default_rng(seed)
    return [sample(rng) for _ in range(n)]


def dates(num_train: int = 20000, num_test: int = 2000, seed: int = 0,
          formats: Sequence[str] | None = None) -> TranslationDataset:
    """Human-written dates to ISO 8601 (``"Mar 23, 1994"`` -> ``"1994-03-23"``).

    Source strings are distinct across the whole dataset, so the test pairs are unseen.
    ``formats`` restricts the surface forms (names from :data:`DATE_FORMATS`).
    Two-digit years read 30-99 as 19xx and 00-29 as 20xx.
    """
    sample = _date_pair_sampler(list(formats or DATE_FORMATS))
    return _build(sample, num_train, num_test, seed, DATE_SOURCE_CHARACTERS, DATE_TARGET_CHARACTERS)


# --------------------------------------------------------------------------- numbers
def spell_number(n: int, use_and: bool = True) -> str:
    """0 <= n < 10**9 in English words: 312005 -> "three hundred twelve thousand and five"."""
    if not 0 <= n < 10 ** 9:
        raise ValueError(f"spell_number handles 0 <= n < 1e9; received {n}.")
    if n == 0:
        return "zero"
    groups = []
    for scale in ("million", "thousand", ""):
        div = {"million": 10 ** 6, "thousand": 10 ** 3, "": 1}[scale]
        part, n = divmod(n, div)
        if not part:
            continue
        hundreds, rest = divmod(part, 100)
        words = []
        if hundreds:
            words.append(f"{_UNITS[hundreds]} hundred")
        if rest:
            if words and use_and:
                words.append("and")
            elif not words and groups and use_and and scale == "":
                words.append("and")
            words.append(_two_digits(rest))
        if scale:
            words.append(scale)
        groups.append(" ".join(words))
    return " ".join(groups)


def _number_pair_sampler(max_digits: int):
    if not 1 <= max_digits <= 9:
        raise ValueError(f"max_digits should be in 1..9; received {max_digits}.")

    def sample(rng: np.random.Generator) -> tuple[str, str]:
        digits = int(rng.integers(1, max_digits + 1))
        n = int(rng.integers(10 ** (digits - 1) if digits > 1 else 0, 10 ** digits))
        return spell_number(n, use_and=bool(rng.random() < 0.5)), str(n)
    return sample


def number_pairs(n: int, seed: int = 0, max_digits: int = 6) -> list[tuple[str, str]]:
    """``n`` (words, digits) pairs; the digit count is uniform in 1..max_digits."""
    sample = _number_pair_sampler(max_digits)
    rng = np.random.default_rng(seed)
    return [sample(rng) for _ in range(n)]


def numbers(num_train: int = 20000, num_test: int = 2000, seed: int = 0, max_digits: int = 6) -> TranslationDataset:
    """Numbers spelled out in English to digits (``"four thousand and twelve"`` -> ``"4012"``)."""
    return _build(_number_pair_sampler(max_digits), num_train, num_test, seed,
                  string.ascii_lowercase + " -", string.digits)
