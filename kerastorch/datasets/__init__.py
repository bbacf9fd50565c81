"""``keras.datasets``: the small datasets of the Keras tutorials, read from Keras's own cache files.

One module per dataset with Keras's ``load_data`` (and ``get_word_index`` / ``get_label_names``
where Keras has them); the shared cache, safe-reading and split helpers are in ``_common``.
"""
from kerastorch.datasets import (
                                 boston_housing,
                                 california_housing,
                                 cifar10,
                                 cifar100,
                                 fashion_mnist,
                                 imdb,
                                 mnist,
                                 reuters,
)

__all__ = ["boston_housing", "california_housing", "cifar10", "cifar100", "fashion_mnist", "imdb", "mnist",
           "reuters"]
