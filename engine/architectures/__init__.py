"""Teacher-net architectures, built by name. Importing this package registers the built-in ones."""

from engine.architectures import vgg16, vgg_mini  # noqa: F401  (registration side effect)
from engine.architectures.registry import (
    Architecture,
    get_architecture,
    list_architectures,
    register_architecture,
)

__all__ = ["Architecture", "get_architecture", "list_architectures", "register_architecture"]
