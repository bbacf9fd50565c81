"""Sequence-to-sequence models: an attention encoder-decoder (``Seq2Seq``) that trains with ``fit``,
dynamic teacher forcing (scheduled sampling) driven by a callback, batched greedy and beam-search
decoding, and synthetic translation datasets (``kerastorch.seq2seq.datasets``).

    import kerastorch as keras
    from kerastorch.seq2seq import Seq2Seq, TeacherForcingScheduler, InverseSigmoidDecay, datasets

    data = datasets.dates(num_train=20000, num_test=1000, seed=0)
    model = Seq2Seq(data.src_vocab.size, data.tgt_vocab.size, attention="dot",
                    max_output_length=data.max_target_length)
    model.compile(optimizer="adam", metrics=["accuracy"])
    model.fit(data.src_train, data.tgt_train, epochs=10, batch_size=64,
              callbacks=[TeacherForcingScheduler(InverseSigmoidDecay(k=5))])
    model.sequence_accuracy(data.src_test, data.tgt_test)

See docs/seq2seq.md.
"""
from kerastorch.seq2seq import datasets, decoding, teacher_forcing
from kerastorch.seq2seq.callbacks import SequenceAccuracy
from kerastorch.seq2seq.decoding import beam_search, greedy_search, score_sequences, sequence_accuracy
from kerastorch.seq2seq.model import Memory, Seq2Seq
from kerastorch.seq2seq.teacher_forcing import (
                                                ConstantSchedule,
                                                ExponentialDecay,
                                                InverseSigmoidDecay,
                                                LinearDecay,
                                                TeacherForcingSchedule,
                                                TeacherForcingScheduler,
)

__all__ = ["Seq2Seq", "Memory", "SequenceAccuracy", "TeacherForcingScheduler", "TeacherForcingSchedule", "ConstantSchedule",
           "LinearDecay", "ExponentialDecay", "InverseSigmoidDecay", "greedy_search", "beam_search",
           "score_sequences", "sequence_accuracy", "datasets", "decoding", "teacher_forcing"]
