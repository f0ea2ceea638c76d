"""Labelled minibatches: a graft's batches are the frozen category module's features of the images
a plain sampler would draw, in the same order, whether or not they fit in the feature cache."""

import torch
from torch import nn
from torch.utils.data import TensorDataset

from engine.training.sampling import BatchSampler, FeatureBatches


def _set_and_category():
    torch.manual_seed(0)
    images, targets = torch.rand(10, 1, 8, 8), torch.arange(10.0)  # (N, 1, H, W), (N,)
    category = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)).eval()
    return TensorDataset(images, targets), category


def test_feature_batches_are_the_category_features_of_the_sampled_images_in_the_same_order():
    dataset, category = _set_and_category()
    plain = BatchSampler(dataset, 4, torch.Generator().manual_seed(3), torch.device("cpu"))
    features = FeatureBatches(dataset, category, 4, torch.Generator().manual_seed(3), torch.device("cpu"))
    assert features.features is not None  # ten tiny maps fit the cache
    for _ in range(5):  # more than one pass over the set: reshuffles included
        (images, targets), batch = plain.next(), features.next()
        torch.testing.assert_close(batch.targets, targets, rtol=0, atol=0)
        with torch.no_grad():
            torch.testing.assert_close(batch.features, category(images), rtol=1e-6, atol=1e-6)
        assert not batch.features.requires_grad and batch.teacher_output is None


def test_a_set_too_large_for_the_cache_is_run_batch_by_batch_with_the_same_result_teacher_outputs_included():
    dataset, category = _set_and_category()
    teacher = nn.Sequential(nn.Conv2d(3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)).eval()
    cached = FeatureBatches(
        dataset, category, 4, torch.Generator().manual_seed(3), torch.device("cpu"), teacher_task=teacher
    )
    streamed = FeatureBatches(
        dataset,
        category,
        4,
        torch.Generator().manual_seed(3),
        torch.device("cpu"),
        cache_bytes=0,
        teacher_task=teacher,
    )
    assert streamed.features is None and cached.teacher_outputs is not None
    for _ in range(4):
        a, b = cached.next(), streamed.next()
        torch.testing.assert_close(a.features, b.features, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(a.targets, b.targets, rtol=0, atol=0)
        with torch.no_grad():
            torch.testing.assert_close(a.teacher_output, teacher(a.features), rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(a.teacher_output, b.teacher_output, rtol=1e-6, atol=1e-6)
