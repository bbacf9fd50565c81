from kerastorch.layers.core.activation import Activation
from kerastorch.layers.core.dense import Dense
from kerastorch.layers.core.einsum_dense import EinsumDense
from kerastorch.layers.core.embedding import Embedding
from kerastorch.layers.core.identity import Identity
from kerastorch.layers.core.lambda_layer import Lambda
from kerastorch.layers.core.masking import Masking
from kerastorch.layers.core.reversible_embedding import ReversibleEmbedding
from kerastorch.layers.core.torch_module_wrapper import TorchModuleWrapper
from kerastorch.layers.core.wrapper import Wrapper

__all__ = ["Activation", "Dense", "EinsumDense", "Embedding", "Identity", "Lambda", "Masking", "ReversibleEmbedding",
           "TorchModuleWrapper", "Wrapper"]
