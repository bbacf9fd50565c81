"""Keras 3's image preprocessing and augmentation layers, one module per layer (as in Keras)."""
from kerastorch.layers.preprocessing.image_preprocessing.auto_contrast import AutoContrast
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from kerastorch.layers.preprocessing.image_preprocessing.center_crop import CenterCrop
from kerastorch.layers.preprocessing.image_preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.image_preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.image_preprocessing.random_crop import RandomCrop
from kerastorch.layers.preprocessing.image_preprocessing.random_flip import RandomFlip
from kerastorch.layers.preprocessing.image_preprocessing.random_grayscale import RandomGrayscale
from kerastorch.layers.preprocessing.image_preprocessing.random_invert import RandomInvert
from kerastorch.layers.preprocessing.image_preprocessing.random_posterization import RandomPosterization
from kerastorch.layers.preprocessing.image_preprocessing.random_rotation import RandomRotation
from kerastorch.layers.preprocessing.image_preprocessing.random_translation import RandomTranslation
from kerastorch.layers.preprocessing.image_preprocessing.random_zoom import RandomZoom
from kerastorch.layers.preprocessing.image_preprocessing.resizing import Resizing
from kerastorch.layers.preprocessing.image_preprocessing.solarization import Solarization

__all__ = ["AutoContrast", "BaseImagePreprocessingLayer", "CenterCrop", "RandomBrightness", "RandomContrast",
           "RandomCrop", "RandomFlip", "RandomGrayscale", "RandomInvert", "RandomPosterization", "RandomRotation",
           "RandomTranslation", "RandomZoom", "Resizing", "Solarization"]
