# Loaded for its classes' registration (a saved FeatureSpace loads by name); exported as keras.utils.FeatureSpace.
import kerastorch.layers.preprocessing.feature_space as feature_space  # noqa: F401
from kerastorch.layers.preprocessing.category_encoding import CategoryEncoding
from kerastorch.layers.preprocessing.discretization import Discretization
from kerastorch.layers.preprocessing.hashed_crossing import HashedCrossing
from kerastorch.layers.preprocessing.hashing import Hashing
from kerastorch.layers.preprocessing.integer_lookup import IntegerLookup
from kerastorch.layers.preprocessing.mel_spectrogram import MelSpectrogram
from kerastorch.layers.preprocessing.normalization import Normalization
from kerastorch.layers.preprocessing.rescaling import Rescaling
from kerastorch.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from kerastorch.layers.preprocessing.string_lookup import StringLookup
from kerastorch.layers.preprocessing.text_vectorization import TextVectorization

__all__ = ["CategoryEncoding", "Discretization", "HashedCrossing", "Hashing", "IntegerLookup", "MelSpectrogram",
           "Normalization", "Rescaling", "STFTSpectrogram", "StringLookup", "TextVectorization"]
