"""Architectures by name: shapes at the native image sizes, and the registry's rules."""

import pytest
import torch

from engine import Architecture, Task, get_architecture, list_architectures, register_architecture


@pytest.mark.parametrize("name,task,features,output", [
    ("vgg-mini", Task.CLASSIFICATION, (16, 14, 14), (1, 1, 1)),
    ("vgg-mini", Task.SEGMENTATION, (16, 32, 32), (2, 64, 64)),
    ("vgg16", Task.CLASSIFICATION, (64, 112, 112), (1, 1, 1)),
    ("fcn8s", Task.SEGMENTATION, (64, 112, 112), (2, 224, 224)),
])
def test_category_modules_end_at_pool1_and_task_modules_reach_the_output(name, task, features, output):
    architecture = get_architecture(name)
    config = architecture.config({"hidden": 32})  # a narrow fc6/fc7 keeps the test light
    image = torch.zeros(1, architecture.image_channels, *architecture.image_size[task])
    with torch.no_grad():
        feature_map = architecture.build_category(config)(image)
        assert tuple(feature_map.shape[1:]) == features
        assert tuple(architecture.build_task(task, config)(feature_map).shape[1:]) == output


def test_the_category_module_is_conv1_1_to_pool1():
    category = get_architecture("vgg16").build_category(get_architecture("vgg16").config())
    kinds = [type(layer).__name__ for layer in category]
    assert kinds == ["Conv2d", "ReLU", "Conv2d", "ReLU", "MaxPool2d"]


def test_a_registered_name_cannot_be_taken_twice():
    existing = get_architecture("vgg-mini")
    with pytest.raises(ValueError, match="already registered"):
        register_architecture(existing)


def test_new_architectures_register_by_name(monkeypatch):
    from engine.architectures import registry

    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))  # the new name stays in this test
    mini = get_architecture("vgg-mini")
    register_architecture(Architecture(
        name="vgg-mini-wide", build_category=mini.build_category, build_task=mini.build_task,
        image_size=mini.image_size, image_channels=1, default_config={**mini.default_config, "widths": [32, 32, 64]},
    ))
    assert "vgg-mini-wide" in list_architectures()
    config = get_architecture("vgg-mini-wide").config()
    assert get_architecture("vgg-mini-wide").build_category(config)[0].out_channels == 32


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="has no setting"):
        get_architecture("vgg-mini").config({"depth": 99})
