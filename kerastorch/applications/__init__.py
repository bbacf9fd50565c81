"""``keras.applications``: Keras's pretrained image models, built from kerastorch layers.

One module per family (``vgg``, ``resnet``, ...), each with its constructors,
``preprocess_input`` and ``decode_predictions``; the Keras submodule names
(``keras.applications.vgg16`` ...) are aliases of those modules. ``weights="imagenet"``
reads the exact ``.h5`` file Keras publishes, from Keras's cache (see ``imagenet_utils``).
"""
import kerastorch.applications.convnext as convnext
import kerastorch.applications.densenet as densenet
import kerastorch.applications.efficientnet as efficientnet
import kerastorch.applications.efficientnet_v2 as efficientnet_v2
import kerastorch.applications.imagenet_utils as imagenet_utils
import kerastorch.applications.inception_resnet_v2 as inception_resnet_v2
import kerastorch.applications.inception_v3 as inception_v3
import kerastorch.applications.mobilenet as mobilenet
import kerastorch.applications.mobilenet_v2 as mobilenet_v2
import kerastorch.applications.mobilenet_v3 as mobilenet_v3
import kerastorch.applications.resnet as resnet
import kerastorch.applications.resnet_v2 as resnet_v2
import kerastorch.applications.vgg as vgg
import kerastorch.applications.xception as xception
from kerastorch.applications.convnext import ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall, ConvNeXtTiny, ConvNeXtXLarge
from kerastorch.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from kerastorch.applications.efficientnet import (
                                               EfficientNetB0,
                                               EfficientNetB1,
                                               EfficientNetB2,
                                               EfficientNetB3,
                                               EfficientNetB4,
                                               EfficientNetB5,
                                               EfficientNetB6,
                                               EfficientNetB7,
)
from kerastorch.applications.efficientnet_v2 import (
                                               EfficientNetV2B0,
                                               EfficientNetV2B1,
                                               EfficientNetV2B2,
                                               EfficientNetV2B3,
                                               EfficientNetV2L,
                                               EfficientNetV2M,
                                               EfficientNetV2S,
)
from kerastorch.applications.inception_resnet_v2 import InceptionResNetV2
from kerastorch.applications.inception_v3 import InceptionV3
from kerastorch.applications.mobilenet import MobileNet
from kerastorch.applications.mobilenet_v2 import MobileNetV2
from kerastorch.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from kerastorch.applications.resnet import ResNet50, ResNet50V2, ResNet101, ResNet101V2, ResNet152, ResNet152V2
from kerastorch.applications.vgg import VGG16, VGG19
from kerastorch.applications.xception import Xception

resnet50 = resnet
vgg16 = vgg
vgg19 = vgg
