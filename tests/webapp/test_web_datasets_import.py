"""Importing torchvision's own VGG-16 (random weights, saved with safetensors) through the API."""

from __future__ import annotations

import pickle

import pytest
import torch
import torchvision
from django.core.files.uploadedfile import SimpleUploadedFile
from safetensors.torch import save

from webapp.catalog.models import Module

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def vgg16_bytes() -> bytes:
    torch.manual_seed(0)
    state = torchvision.models.vgg16().state_dict()  # nothing downloaded: random weights
    return save({name: tensor.contiguous() for name, tensor in state.items()})


def _import(client, data: bytes, **fields):
    return client.post(
        "/api/modules/import/",
        {
            "weights": SimpleUploadedFile("vgg16.safetensors", data),
            "arch": "vgg16",
            "category": "forklift",
            **fields,
        },
        format="multipart",
    )


def test_torchvision_vgg16_becomes_a_category_and_a_task_module_of_one_teacher(client, settings, vgg16_bytes):
    settings.TRANSPLANT_MAX_UPLOAD_BYTES = len(vgg16_bytes) + 1
    response = _import(client, vgg16_bytes, positive_index=3)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["category"]["kind"] == "category" and body["category"]["category"] == "forklift"
    assert body["category"]["architecture"] == "vgg16" and body["category"]["input_shape"] == [3, 224, 224]
    assert body["task"]["kind"] == "task" and body["task"]["task"] == "classification"
    assert body["category"]["teacher"] == body["task"]["teacher"] is not None
    assert Module.objects.count() == 2


def test_a_1000_way_head_without_the_category_index_and_a_pickle_are_refused(client, settings, vgg16_bytes):
    settings.TRANSPLANT_MAX_UPLOAD_BYTES = len(vgg16_bytes) + 1
    response = _import(client, vgg16_bytes)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_module"
    assert "positive" in response.json()["error"]["message"]
    pickled = pickle.dumps({"features.0.weight": [0.0]})
    assert _import(client, pickled).status_code == 400
    assert not Module.objects.exists()
