"""A broad pretraining backbone: one net trained to tell all ten Animal-MNIST categories apart.

The paper's teachers were all fine-tuned from one ImageNet-pretrained VGG-16, so their category modules
barely differ. This is our stand-in for ImageNet: a ten-way classifier on images that no task's test
split holds. Teachers then start from it (`train_teacher(..., start_from=backbone.modules)`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.architectures import get_architecture
from engine.config import ModuleKind, Task, _positive, resolve_device
from engine.data.animal_mnist import CATEGORIES
from engine.data.backbone_split import backbone_dataset
from engine.events import CancelCheck, EventCallback
from engine.layout import fast_layout
from engine.manifest import Manifest
from engine.storage import StoredModule, with_weights_hash
from engine.student import Path
from engine.training.loop import run_steps
from engine.training.sampling import BatchSampler
from engine.training.teacher import feature_rms


@dataclass(frozen=True)
class BackboneConfig:
    """Training of the ten-way backbone. `data_seed` is the tasks' split seed: the backbone never sees an
    image that any task with that seed tests on. `per_category` caps the images per category (None: all)."""

    architecture: str = "vgg-mini"
    seed: int = 0
    data_seed: int = 0
    epochs: int = 12
    batch_size: int = 64
    learning_rate: float = 1e-3
    per_category: int | None = None
    device: str = "auto"

    def __post_init__(self) -> None:
        _positive("epochs", self.epochs)
        _positive("batch_size", self.batch_size)
        _positive("learning_rate", self.learning_rate)
        if self.per_category is not None:
            _positive("per_category", self.per_category)


@dataclass(frozen=True)
class Backbone:
    """The backbone's category module and its ten-way classification module (a start for teachers)."""

    category: StoredModule
    classifier: StoredModule

    @property
    def modules(self) -> tuple[StoredModule, StoredModule]:
        return self.category, self.classifier


def train_backbone(
    config: BackboneConfig, *, on_event: EventCallback | None = None, should_cancel: CancelCheck | None = None
) -> Backbone:
    """Train the ten-way classifier; returns its two modules with manifests. Their metrics are the ten-way
    error (%) on a tenth of the backbone's own image pool, set aside from its training."""
    architecture = get_architecture(config.architecture)
    settings = architecture.config(
        {"classifier_outputs": len(CATEGORIES)}
        if "classifier_outputs" in architecture.default_config
        else None
    )
    if settings.get("classifier_outputs") != len(CATEGORIES):
        raise ValueError(f"architecture {config.architecture!r} cannot build a ten-way classifier")
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    pool = backbone_dataset(seed=config.data_seed, per_category=config.per_category)
    check = len(pool) // 10  # a tenth of the pool tells how well it learned; it trains on the rest
    images, labels = pool.tensors
    train = torch.utils.data.TensorDataset(images[check:], labels[check:])
    category = architecture.build_category(settings).to(device)
    head = architecture.build_task(Task.CLASSIFICATION, settings).to(device)
    path = Path(category, head)
    sampler = BatchSampler(train, config.batch_size, generator, device)
    optimizer = torch.optim.Adam(path.parameters(), lr=config.learning_rate)

    def step(_: int) -> dict[str, float]:
        path.train()
        batch, targets = sampler.next()
        loss = F.cross_entropy(path(batch).mean(dim=(2, 3)), targets)  # (B, 10) logits
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {"loss": loss.item()}

    def evaluate() -> dict[str, float]:
        path.eval()
        with torch.inference_mode():
            predicted = path(images[:check].to(device)).mean(dim=(2, 3)).argmax(dim=1).cpu()
        return {"error": 100.0 * float((predicted != labels[:check]).float().mean())}

    steps = config.epochs * math.ceil(len(train) / config.batch_size)
    with fast_layout((category, head), device):
        _, metrics = run_steps(
            steps=steps,
            step=step,
            evaluate=evaluate,
            eval_every=steps,
            on_event=on_event,
            should_cancel=should_cancel,
        )
    return _package(config, settings, category.eval().cpu(), head.eval().cpu(), images[:512], metrics)


def _package(config, settings, category, head, sample, metrics) -> Backbone:
    base = f"backbone-{config.architecture}-s{config.seed}"
    with torch.inference_mode():
        features = category(sample[:1])
        output = head(features)
    rms = feature_rms(category, sample)
    common = dict(
        architecture=config.architecture,
        categories=CATEGORIES,
        metrics=metrics,
        config=settings,
        teacher=f"{base}-d{config.data_seed}",
    )
    category_module = with_weights_hash(
        StoredModule(
            Manifest(
                kind=ModuleKind.CATEGORY,
                name=f"{base}-category",
                category="animals",
                input_shape=tuple(sample.shape[1:]),
                output_shape=tuple(features.shape[1:]),
                feature_rms=rms,
                description=(
                    "Category module (conv1 block) of a ten-way Animal-MNIST backbone "
                    f"({config.architecture}), the start teachers are fine-tuned from."
                ),
                **common,
            ),
            category,
        )
    )
    classifier = with_weights_hash(
        StoredModule(
            Manifest(
                kind=ModuleKind.TASK,
                name=f"{base}-classification",
                task=Task.CLASSIFICATION,
                input_shape=tuple(features.shape[1:]),
                output_shape=tuple(output.shape[1:]),
                feature_rms=rms,
                description=(
                    f"Ten-way classification module of the Animal-MNIST backbone ({config.architecture})."
                ),
                **common,
            ),
            head,
        )
    )
    return Backbone(category_module, classifier)
