"""``keras.random``: ``normal``, ``uniform``, ``randint`` ... and ``SeedGenerator``."""
from kerastorch.random.random import (
                                      beta,
                                      binomial,
                                      categorical,
                                      dropout,
                                      gamma,
                                      normal,
                                      randint,
                                      shuffle,
                                      truncated_normal,
                                      uniform,
)
from kerastorch.random.seed_generator import SeedGenerator

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal", "randint",
           "shuffle", "truncated_normal", "uniform"]
