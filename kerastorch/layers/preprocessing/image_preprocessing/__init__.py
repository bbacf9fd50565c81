"""Keras 3's image preprocessing and augmentation layers, one module per layer (as in Keras)."""
from kerastorch.layers.preprocessing.image_preprocessing.aug_mix import AugMix
from kerastorch.layers.preprocessing.image_preprocessing.auto_contrast import AutoContrast
from kerastorch.layers.preprocessing.image_preprocessing.base_image_preprocessing_layer import (
    BaseImagePreprocessingLayer,
)
from kerastorch.layers.preprocessing.image_preprocessing.center_crop import CenterCrop
from kerastorch.layers.preprocessing.image_preprocessing.contrast_limited_adaptive_histogram_equalization import (
    ContrastLimitedAdaptiveHistogramEqualization,
)
from kerastorch.layers.preprocessing.image_preprocessing.cut_mix import CutMix
from kerastorch.layers.preprocessing.image_preprocessing.equalization import Equalization
from kerastorch.layers.preprocessing.image_preprocessing.max_num_bounding_boxes import MaxNumBoundingBoxes
from kerastorch.layers.preprocessing.image_preprocessing.mix_up import MixUp
from kerastorch.layers.preprocessing.image_preprocessing.rand_augment import RandAugment
from kerastorch.layers.preprocessing.image_preprocessing.random_brightness import RandomBrightness
from kerastorch.layers.preprocessing.image_preprocessing.random_color_degeneration import RandomColorDegeneration
from kerastorch.layers.preprocessing.image_preprocessing.random_color_jitter import RandomColorJitter
from kerastorch.layers.preprocessing.image_preprocessing.random_contrast import RandomContrast
from kerastorch.layers.preprocessing.image_preprocessing.random_crop import RandomCrop
from kerastorch.layers.preprocessing.image_preprocessing.random_elastic_transform import RandomElasticTransform
from kerastorch.layers.preprocessing.image_preprocessing.random_erasing import RandomErasing
from kerastorch.layers.preprocessing.image_preprocessing.random_flip import RandomFlip
from kerastorch.layers.preprocessing.image_preprocessing.random_gaussian_blur import RandomGaussianBlur
from kerastorch.layers.preprocessing.image_preprocessing.random_grayscale import RandomGrayscale
from kerastorch.layers.preprocessing.image_preprocessing.random_hue import RandomHue
from kerastorch.layers.preprocessing.image_preprocessing.random_invert import RandomInvert
from kerastorch.layers.preprocessing.image_preprocessing.random_perspective import RandomPerspective
from kerastorch.layers.preprocessing.image_preprocessing.random_posterization import RandomPosterization
from kerastorch.layers.preprocessing.image_preprocessing.random_rotation import RandomRotation
from kerastorch.layers.preprocessing.image_preprocessing.random_saturation import RandomSaturation
from kerastorch.layers.preprocessing.image_preprocessing.random_sharpness import RandomSharpness
from kerastorch.layers.preprocessing.image_preprocessing.random_shear import RandomShear
from kerastorch.layers.preprocessing.image_preprocessing.random_translation import RandomTranslation
from kerastorch.layers.preprocessing.image_preprocessing.random_zoom import RandomZoom
from kerastorch.layers.preprocessing.image_preprocessing.resizing import Resizing
from kerastorch.layers.preprocessing.image_preprocessing.solarization import Solarization

__all__ = [
    "AugMix", "AutoContrast", "BaseImagePreprocessingLayer", "CenterCrop", "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix", "Equalization", "MaxNumBoundingBoxes",
    "MixUp", "RandAugment",
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomCrop",
    "RandomElasticTransform", "RandomErasing", "RandomFlip", "RandomGaussianBlur", "RandomGrayscale", "RandomHue",
    "RandomInvert", "RandomPerspective", "RandomPosterization", "RandomRotation", "RandomSaturation",
    "RandomSharpness", "RandomShear", "RandomTranslation", "RandomZoom", "Resizing", "Solarization",
]
