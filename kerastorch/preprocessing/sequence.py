"""``keras.preprocessing.sequence``: ``pad_sequences`` (an alias of ``keras.utils.pad_sequences``)."""
from kerastorch.utils.sequence_utils import pad_sequences

__all__ = ["pad_sequences"]
