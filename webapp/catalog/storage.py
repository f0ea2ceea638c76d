"""Where a catalog module's files live: ``settings.TRANSPLANT_STORE/<sha256>/``."""
from pathlib import Path

from django.conf import settings

MANIFEST_FILE = "manifest.json"
WEIGHTS_FILE = "weights.safetensors"


def module_folder(module) -> Path:
    """Return the engine module folder (manifest.json + weights.safetensors) of a catalog row."""
    return Path(settings.TRANSPLANT_STORE) / module.sha256
