"""Jacobian distillation takes the task module's input gradient as a constant when the module is
piecewise linear; that gives the adapter the same gradient as autograd's full double backward."""

import pytest
import torch
from torch import nn

from engine import Adapter, Task, get_architecture, list_architectures
from engine.config import GradientSeed
from engine.labelled_batch import LabelledBatch
from engine.objectives import JacobianDistill
from engine.pseudograd import is_piecewise_linear
from engine.student import Path

# Every registered task module, on feature maps small enough for a quick test: (name, task, features).
TASK_MODULES = [
    ("vgg-mini", Task.CLASSIFICATION, (16, 14, 14)),
    ("vgg-mini", Task.SEGMENTATION, (16, 16, 16)),
    ("vgg16", Task.CLASSIFICATION, (64, 112, 112)),  # fc6 is a 7 x 7 conv on pool5
    ("fcn8s", Task.SEGMENTATION, (64, 32, 32)),
]


def test_the_cases_cover_every_registered_architecture():
    assert {name for name, _, _ in TASK_MODULES} == set(list_architectures())


def _adapter_gradients(
    task_module: nn.Module,
    task: Task,
    features: torch.Tensor,
    targets: torch.Tensor,
    constant_task_jacobian: bool,
) -> list[torch.Tensor]:
    torch.manual_seed(0)
    channels = features.shape[1]
    adapter = Adapter(
        channels, channels, layers=2, kernel_size=3, permutation=torch.randperm(channels), beta=1.3
    )
    teacher_task = task_module  # the real gradients only need some other frozen task module; this one will do
    objective = JacobianDistill(
        Path(nn.Identity(), task_module, adapter),
        teacher_task,
        task,
        weight=5.0,
        seed=GradientSeed.RANDOM,
        generator=torch.Generator().manual_seed(1),
    )
    objective.constant_task_jacobian = constant_task_jacobian
    objective(LabelledBatch(features, targets))["loss"].backward()
    return [parameter.grad for parameter in adapter.parameters() if parameter.requires_grad]


@pytest.mark.parametrize("name,task,shape", TASK_MODULES)
def test_the_constant_task_jacobian_gives_the_double_backwards_adapter_gradient(name, task, shape):
    architecture = get_architecture(name)
    torch.manual_seed(0)
    task_module = architecture.build_task(task, architecture.config({"hidden": 32})).eval()
    for parameter in task_module.parameters():
        parameter.requires_grad_(False)
    assert is_piecewise_linear(task_module)
    features = torch.relu(torch.randn(1, *shape))  # category features come out of a ReLU
    with torch.no_grad():
        output = task_module(features)
    targets = (
        torch.randint(0, 2, (1,))
        if task is Task.CLASSIFICATION
        else torch.randint(0, output.shape[1], (1, *output.shape[2:]))
    )
    fast = _adapter_gradients(task_module, task, features, targets, constant_task_jacobian=True)
    full = _adapter_gradients(task_module, task, features, targets, constant_task_jacobian=False)
    assert all(gradient.abs().sum() > 0 for gradient in fast)  # the distillation term reaches every weight
    for fast_gradient, full_gradient in zip(fast, full, strict=True):
        torch.testing.assert_close(fast_gradient, full_gradient, rtol=1e-4, atol=1e-6)


def test_a_smooth_nonlinearity_keeps_the_full_double_backward():
    assert not is_piecewise_linear(nn.Sequential(nn.Conv2d(2, 2, 1), nn.Sigmoid(), nn.Conv2d(2, 1, 1)))
    assert is_piecewise_linear(nn.Sequential(nn.Conv2d(2, 2, 1), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout()))
