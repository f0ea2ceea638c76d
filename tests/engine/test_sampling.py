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
        (images, targets), (batch, batch_targets) = plain.next(), features.next()
        torch.testing.assert_close(batch_targets, targets, rtol=0, atol=0)
        with torch.no_grad():
            torch.testing.assert_close(batch, category(images), rtol=1e-6, atol=1e-6)
        assert not batch.requires_grad


def test_a_set_too_large_for_the_cache_is_run_batch_by_batch_with_the_same_result():
    dataset, category = _set_and_category()
    cached = FeatureBatches(dataset, category, 4, torch.Generator().manual_seed(3), torch.device("cpu"))
    streamed = FeatureBatches(dataset, category, 4, torch.Generator().manual_seed(3), torch.device("cpu"), cache_bytes=0)
    assert streamed.features is None
    for _ in range(4):
        (a, a_targets), (b, b_targets) = cached.next(), streamed.next()
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)
        torch.testing.assert_close(a_targets, b_targets, rtol=0, atol=0)
