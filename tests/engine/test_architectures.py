"""Architectures by name: shapes at the native image sizes, and the registry's rules."""

import pytest
import torch

from engine import Architecture, Task, get_architecture, list_architectures, register_architecture
from engine.architectures.fcn_parts import Upsampler, upsample


@pytest.mark.parametrize(
    "name,task,features,output",
    [
        ("vgg-mini", Task.CLASSIFICATION, (16, 14, 14), (1, 1, 1)),
        ("vgg-mini", Task.SEGMENTATION, (16, 32, 32), (2, 64, 64)),
        ("vgg16", Task.CLASSIFICATION, (64, 112, 112), (1, 1, 1)),
        ("fcn8s", Task.SEGMENTATION, (64, 112, 112), (2, 224, 224)),
    ],
)
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
    register_architecture(
        Architecture(
            name="vgg-mini-wide",
            build_category=mini.build_category,
            build_task=mini.build_task,
            image_size=mini.image_size,
            image_channels=1,
            default_config={**mini.default_config, "widths": [32, 32, 64]},
        )
    )
    assert "vgg-mini-wide" in list_architectures()
    config = get_architecture("vgg-mini-wide").config()
    assert get_architecture("vgg-mini-wide").build_category(config)[0].out_channels == 32


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="has no setting"):
        get_architecture("vgg-mini").config({"depth": 99})


@pytest.mark.parametrize("factor", [2, 4, 8])
@pytest.mark.parametrize("layout", [torch.channels_last, torch.contiguous_format])
def test_the_fcn_upsampler_computes_the_transposed_convolution_it_stands_for(factor, layout):
    torch.manual_seed(factor)
    upsampler = Upsampler(3, factor)
    with torch.no_grad():
        upsampler.weight.normal_()  # any trained weights, not only the bilinear start
    reference = torch.nn.ConvTranspose2d(3, 3, 2 * factor, stride=factor, padding=factor // 2, bias=False)
    reference.load_state_dict(upsampler.state_dict())  # the same parameters under the same names
    x = torch.randn(2, 3, 5, 7).contiguous(memory_format=layout).requires_grad_()
    fast, slow = upsampler(x), reference(x)
    assert fast.shape == slow.shape == (2, 3, 5 * factor, 7 * factor)
    torch.testing.assert_close(fast, slow, rtol=1e-5, atol=1e-5)
    upstream = torch.randn_like(slow)
    fast_grads = torch.autograd.grad(fast, (x, upsampler.weight), upstream)
    slow_grads = torch.autograd.grad(slow, (x, reference.weight), upstream)
    for fast_grad, slow_grad in zip(fast_grads, slow_grads, strict=True):
        torch.testing.assert_close(fast_grad, slow_grad, rtol=1e-4, atol=1e-4)


def test_an_upsampler_needs_an_even_factor():
    with pytest.raises(ValueError, match="even"):
        Upsampler(2, 3)


def test_the_upsampler_differentiates_twice_as_pseudo_gradients_need():
    torch.manual_seed(0)
    upsampler = Upsampler(2, 4).double()
    x = torch.randn(1, 2, 3, 3, dtype=torch.float64, requires_grad=True)
    weight = upsampler.weight.detach().clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda x, weight: upsample(x, weight, 4), (x, weight))
    assert torch.autograd.gradgradcheck(lambda x, weight: upsample(x, weight, 4), (x, weight))
