"""How an adapter starts: the identity start passes features through at their scale; the layout used for
speed on the CPU never changes results or what is saved."""

import pytest
import torch

from engine import Adapter, AdapterInit, GraftConfig, Task, graft, load_module, save_module
from engine.layout import channels_last_on_cpu, fast_layout
from engine.pseudograd import adapter_transpose, conv_chain_transpose


def _features() -> torch.Tensor:
    return torch.relu(torch.randn(8, 16, 14, 14, generator=torch.Generator().manual_seed(0)))  # (B, C, h, w)


@pytest.mark.parametrize("kernel", [1, 3])
def test_the_identity_start_passes_reordered_features_through_almost_unchanged(kernel):
    torch.manual_seed(0)
    permutation = torch.randperm(16)
    adapter = Adapter(
        16, 16, layers=3, kernel_size=kernel, permutation=permutation, init=AdapterInit.IDENTITY
    )
    features = _features()
    with torch.no_grad():
        out = adapter(features)
    expected = features[:, permutation]
    assert (out - expected).norm() / expected.norm() < 0.15  # the noise only
    assert abs(out.pow(2).mean().sqrt() / features.pow(2).mean().sqrt() - 1.0) < 0.05


def test_pytorchs_default_start_shrinks_features_and_the_he_start_keeps_their_scale():
    features = _features()
    rms = {}
    for init in AdapterInit:
        torch.manual_seed(0)
        with torch.no_grad():
            out = Adapter(16, 16, layers=3, kernel_size=1, init=init)(features)
        rms[init] = float(out.pow(2).mean().sqrt() / features.pow(2).mean().sqrt())
    assert (
        rms[AdapterInit.PYTORCH] < 0.2
    )  # why identity is the default: a frozen task module sees almost nothing
    assert 0.4 < rms[AdapterInit.HE] < 2.5


def test_an_unknown_adapter_start_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="identity, he, pytorch"):
        GraftConfig(adapter_init="zeros")


def test_the_distance_in_the_reordered_channel_order_equals_the_distance_of_the_full_transpose():
    torch.manual_seed(0)
    adapter = Adapter(6, 6, layers=3, kernel_size=3, permutation=torch.randperm(6), beta=0.7)
    upstream, teacher = torch.randn(4, 6, 5, 5), torch.randn(4, 6, 5, 5)
    full = (1.3 * adapter_transpose(adapter, upstream) - teacher).pow(2).sum()
    reordered = conv_chain_transpose(adapter, upstream) * adapter.beta
    fast = (1.3 * reordered - teacher[:, adapter.permutation]).pow(2).sum()
    torch.testing.assert_close(fast, full, rtol=1e-5, atol=1e-5)


def test_the_fast_layout_gives_the_same_outputs_and_hands_back_the_standard_layout():
    torch.manual_seed(0)
    adapter = Adapter(16, 16, layers=3, kernel_size=3, init=AdapterInit.HE).eval()
    features = _features()
    with torch.no_grad():
        before = adapter(features)
        with fast_layout([adapter], torch.device("cpu")):
            assert adapter.convs[0].weight.is_contiguous(memory_format=torch.channels_last)
            inside = adapter(channels_last_on_cpu(features))
    torch.testing.assert_close(inside, before, rtol=1e-5, atol=1e-5)
    assert all(conv.weight.is_contiguous() for conv in adapter.convs)


def test_a_grafted_adapter_records_its_start_and_comes_back_in_the_standard_layout(horse_teacher, tmp_path):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    result = graft(
        GraftConfig(steps=3, bank_size=32, batch_size=4, adapter_init="he", device="cpu"),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
    )
    assert result.adapter.manifest.config["init"] == "he"
    for module in (result.adapter, horse_teacher.category, task):
        assert all(p.is_contiguous() for p in module.network.parameters())
    loaded = load_module(save_module(result.adapter, tmp_path / "adapter"))
    with torch.no_grad():
        assert torch.equal(loaded.network(_features()), result.adapter.network(_features()))
