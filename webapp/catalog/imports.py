"""Importing a standard net (torchvision VGG-16 or FCN-8s, safetensors) as two catalog modules."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

import engine
from webapp.accounts.selectors import user_is_lab_manager
from webapp.catalog.models import Module, Visibility
from webapp.catalog.services import _incoming_dir, module_register
from webapp.errors import ApplicationError

IMPORTABLE_ARCHITECTURES = ("vgg16", "fcn8s")


def module_import_torchvision(
    *,
    owner: AbstractBaseUser,
    weights_file: Any,
    arch: str,
    category: str,
    positive_index: int | None = None,
    visibility: str = Visibility.PRIVATE,
    license: str = "unspecified",
) -> tuple[Module, Module]:
    """Split an uploaded torchvision ``state_dict`` (safetensors) after pool1 and catalogue both halves.

    Args:
        owner: the uploading user.
        weights_file: the ``.safetensors`` upload with torchvision's key names (never a pickle).
        arch: ``vgg16`` (a classifier) or ``fcn8s`` (a segmenter).
        category: the name the category module is catalogued under, e.g. "forklift".
        positive_index: the category's output when the head has more than two.
        visibility: requested visibility; ``lab`` needs a lab manager.
        license: recorded in both manifests.

    Returns:
        ``(category module, task module)``, sharing a teacher.

    Raises:
        ApplicationError: 413 over the upload limit, 400 ``invalid_module`` naming what does not
            fit, 409 when the weights are already in the catalog.
    """
    limit = settings.TRANSPLANT_MAX_UPLOAD_BYTES
    if weights_file.size > limit:
        raise ApplicationError(
            f"The weights file is {weights_file.size} bytes; the limit is {limit} bytes.",
            code="too_large",
            status=413,
        )
    if visibility == Visibility.LAB and not user_is_lab_manager(owner):
        raise ApplicationError("Only lab managers may publish to the lab.", code="forbidden", status=403)
    folder = _incoming_dir()
    try:
        path = Path(folder) / "torchvision.safetensors"
        with path.open("wb") as out:
            for chunk in weights_file.chunks():
                out.write(chunk)
        try:
            category_module, task_module = engine.import_torchvision(
                path, arch=arch, category=category, positive_index=positive_index, license=license
            )
        except (engine.TransplantError, ValueError) as exc:
            raise ApplicationError(f"The network was refused: {exc}", code="invalid_module") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    with transaction.atomic():
        return (
            module_register(stored=category_module, owner=owner, visibility=visibility),
            module_register(stored=task_module, owner=owner, visibility=visibility),
        )
