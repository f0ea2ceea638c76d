"""Import a standard net: a VGG-16 classifier or an FCN-8s, split after pool1 as the paper splits it.

The weights come as a `state_dict` in safetensors (never a pickle), with torchvision's key names:

- `vgg16`: exactly `torchvision.models.vgg16()`'s keys: ``features.N.weight/bias`` (the 13
  convolutions) and ``classifier.0/3/6`` (fc6, fc7, fc8 as Linear layers). fc6/fc7 become the
  7x7 and 1x1 convolutions of our task module (the same numbers, reshaped). Batch-norm VGG
  (`vgg16_bn`) has other keys and is refused.
- `fcn8s`: torchvision has no FCN-8s, so the backbone uses its VGG-16 ``features.N`` keys and the
  head FCN's own layer names (as the original Caffe model and its PyTorch ports): ``fc6``, ``fc7``
  (convolutions), ``score_fr``, ``score_pool4``, ``score_pool3`` and the bias-free transposed
  convolutions ``upscore2``, ``upscore_pool4``, ``upscore8``.

Our tasks are binary ("category vs the rest", one logit; or background vs category, 2 classes), so
a head with another number of outputs is mapped, exactly and in closed form, onto that:

- vgg16 with 1 output: copied. With 2 (softmax over [rest, category]): the logit is
  z_p - z_(1-p), whose sigmoid is the softmax's probability of p. With K > 2 (e.g. ImageNet's
  1000): `positive_index` p must be given and the logit is z_p - mean of the other z_j: how far the
  category's score stands above the average other class. That is exact arithmetic on the original
  logits but not a calibrated probability; fine-tune it on your data (`transplant teacher
  --start-from ... --data DIR`). The task module's manifest says which mapping it got.
- fcn8s with 2 classes: copied (swapped when p = 0). With K > 2 (VOC's 21): the background (0)
  and class p channels are kept; this is exact when the upsamplers do not mix channels (FCN's fixed
  bilinear ones), and refused otherwise.

Images go in as the engine feeds them: float [0, 1]. Weights trained on mean/std-normalised inputs
(torchvision's ImageNet weights) see a shifted input until fine-tuned. `feature_rms` (from which an
adapter's beta is derived) is measured on the images given, or on 8 seeded smooth random images.
"""

from __future__ import annotations

import math
import uuid
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torchvision.models.vgg import cfgs, make_layers

from engine.architectures import get_architecture
from engine.architectures.vgg16 import POOL1, POOL3, POOL4, POOL5
from engine.config import ModuleKind, Task
from engine.errors import ModuleFileError
from engine.manifest import Manifest
from engine.storage import StoredModule, read_safetensors_header, sha256_of, with_weights_hash
from engine.training.teacher import feature_rms

IMPORTABLE = {"vgg16": Task.CLASSIFICATION, "fcn8s": Task.SEGMENTATION}
FCN_HEAD = {  # FCN's layer names -> ours (engine.architectures.vgg16.FCN8s)
    "fc6": "fc.0",
    "fc7": "fc.3",
    "score_fr": "fc.6",
    "score_pool4": "score_pool4",
    "score_pool3": "score_pool3",
    "upscore2": "up_fc",
    "upscore_pool4": "up_pool4",
    "upscore8": "up_out",
}
_FLOAT_DTYPES = {"F32", "F16", "BF16", "F64"}
_RMS_IMAGES = 8


def _feature_slot(arch: str, index: int) -> tuple[ModuleKind, str]:
    """Where torchvision's ``features.<index>`` lands: the category module (below pool1) or the task module.

    The vgg16 classifier unpacks the layers above pool1 into one Sequential (renumbered from 0);
    FCN-8s keeps slices of `features`, which keep torchvision's own numbers.
    """
    if index < POOL1:
        return ModuleKind.CATEGORY, str(index)
    if arch == "vgg16":
        return ModuleKind.TASK, str(index - POOL1)
    for end, name in ((POOL3, "to_pool3"), (POOL4, "to_pool4"), (POOL5, "to_pool5")):
        if index < end:
            return ModuleKind.TASK, f"{name}.{index}"
    raise AssertionError(f"features.{index} lies past pool5")


def _read_weights(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise ModuleFileError(
            f"{path} does not exist; give a state_dict saved with safetensors.torch.save_file"
        )
    header = read_safetensors_header(path)  # refuses a pickle (.pt/.pth) before anything is read
    odd = sorted(name for name, entry in header.items() if entry["dtype"] not in _FLOAT_DTYPES)
    if odd:
        raise ModuleFileError(f"{path.name}: tensors {odd[:5]} are not floating point; a net's weights are")
    return {name: tensor.float() for name, tensor in load_file(str(path)).items()}


def _expected_keys(arch: str, conv_indices: list[int]) -> set[str]:
    keys = {f"features.{i}.{part}" for i in conv_indices for part in ("weight", "bias")}
    if arch == "vgg16":
        return keys | {f"classifier.{i}.{part}" for i in (0, 3, 6) for part in ("weight", "bias")}
    head = {f"{name}.weight" for name in FCN_HEAD}
    return keys | head | {f"{name}.bias" for name in ("fc6", "fc7", "score_fr", "score_pool4", "score_pool3")}


def _check_keys(arch: str, weights: dict[str, torch.Tensor], conv_indices: list[int]) -> None:
    expected = _expected_keys(arch, conv_indices)
    missing, unexpected = sorted(expected - set(weights)), sorted(set(weights) - expected)
    if missing or unexpected:
        hint = (
            " (running_mean/var belong to a batch-norm VGG, vgg16_bn, which is not supported)"
            if any("running" in key for key in unexpected)
            else ""
        )
        naming = (
            "torchvision.models.vgg16()'s keys (features.N, classifier.0/3/6)"
            if arch == "vgg16"
            else "torchvision's VGG-16 features.N for the backbone and fc6, fc7, score_fr, score_pool4, "
            "score_pool3, upscore2, upscore_pool4, upscore8 for the head"
        )
        raise ModuleFileError(
            f"the weights are not a {arch} state_dict: missing {missing[:5]}, unexpected "
            f"{unexpected[:5]}{hint}; expected {naming}"
        )


def _assign(target: dict[str, torch.Tensor], key: str, value: torch.Tensor, source: str) -> None:
    if key not in target:
        raise AssertionError(f"no slot {key}")
    if tuple(value.shape) != tuple(target[key].shape):
        raise ModuleFileError(
            f"tensor {source!r} has shape {list(value.shape)} but {key!r} of our module needs "
            f"{list(target[key].shape)}; is it a VGG-16 of another shape?"
        )
    target[key] = value


def _binary_logit(
    weight: torch.Tensor, bias: torch.Tensor, positive_index: int | None
) -> tuple[torch.Tensor, torch.Tensor, str]:
    """fc8's K rows as one logit row (see the module docstring), and a sentence saying how."""
    outputs = weight.shape[0]
    if outputs == 1:
        return weight, bias, "The classifier's single logit is kept as it was."
    p = 1 if positive_index is None and outputs == 2 else positive_index
    if p is None:
        raise ValueError(
            f"the classifier has {outputs} outputs; give positive_index (--positive-index), the "
            f"index of the category's output, so that it can become one logit"
        )
    if not 0 <= p < outputs:
        raise ValueError(f"positive_index must lie in [0, {outputs}), got {p}")
    others = [j for j in range(outputs) if j != p]
    row = weight[p] - weight[others].mean(dim=0)
    offset = bias[p] - bias[others].mean()
    how = (
        f"The logit is output {p} minus output {others[0]} of the 2-way classifier (its softmax probability)."
        if outputs == 2
        else f"The logit is output {p} minus the mean of the other {outputs - 1} outputs (a "
        f"score, not a calibrated probability): fine-tune it on your data."
    )
    return row[None], offset[None], how


def _vgg_head(
    weights: dict[str, torch.Tensor], task_state: dict[str, torch.Tensor], positive_index: int | None
) -> str:
    hidden = weights["classifier.0.weight"].shape[0]
    fc6 = POOL5 - POOL1  # our classifier's first layer after the conv blocks
    fc7, fc8 = fc6 + 3, fc6 + 6
    _assign(
        task_state,
        f"{fc6}.weight",
        weights["classifier.0.weight"].reshape(hidden, 512, 7, 7),
        "classifier.0.weight",
    )
    _assign(task_state, f"{fc6}.bias", weights["classifier.0.bias"], "classifier.0.bias")
    _assign(
        task_state, f"{fc7}.weight", weights["classifier.3.weight"][:, :, None, None], "classifier.3.weight"
    )
    _assign(task_state, f"{fc7}.bias", weights["classifier.3.bias"], "classifier.3.bias")
    row, offset, how = _binary_logit(
        weights["classifier.6.weight"], weights["classifier.6.bias"], positive_index
    )
    _assign(task_state, f"{fc8}.weight", row[:, :, None, None], "classifier.6.weight")
    _assign(task_state, f"{fc8}.bias", offset, "classifier.6.bias")
    return how


def _fcn_channels(weights: dict[str, torch.Tensor], positive_index: int | None) -> tuple[list[int], str]:
    """Which of the K score channels become ours (background, category), and a sentence saying how."""
    classes = weights["score_fr.weight"].shape[0]
    p = 1 if positive_index is None and classes == 2 else positive_index
    if p is None:
        raise ValueError(
            f"the FCN-8s scores {classes} classes; give positive_index (--positive-index), the "
            f"category's class (background must be class 0)"
        )
    if not 0 <= p < classes:
        raise ValueError(f"positive_index must lie in [0, {classes}), got {p}")
    background = 1 - p if classes == 2 else 0
    if p == background:
        raise ValueError("positive_index 0 is the background class; give the category's class")
    kept = [background, p]
    if classes > 2:
        for name in ("upscore2", "upscore_pool4", "upscore8"):
            weight = weights[f"{name}.weight"]  # (K, K, k, k): input channel, output channel
            mixing = weight.clone()
            mixing[range(classes), range(classes)] = 0
            if mixing[kept].abs().max() > 0 or mixing[:, kept].abs().max() > 0:
                raise ModuleFileError(
                    f"{name} mixes the class channels, so classes {kept} cannot be taken out of "
                    f"the {classes}-class FCN-8s exactly; fine-tune it to 2 classes first"
                )
        return kept, f"Classes {background} (background) and {p} of the {classes}-class FCN-8s are kept."
    return kept, "The 2-class scores are kept" + (" (swapped: class 0 was the category)." if p == 0 else ".")


def _fcn_head(
    weights: dict[str, torch.Tensor], task_state: dict[str, torch.Tensor], positive_index: int | None
) -> str:
    kept, how = _fcn_channels(weights, positive_index)
    for theirs, ours in FCN_HEAD.items():
        weight = weights[f"{theirs}.weight"]
        if theirs.startswith("score"):
            weight = weight[kept]
        elif theirs.startswith("upscore"):
            weight = weight[kept][:, kept]
        _assign(task_state, f"{ours}.weight", weight, f"{theirs}.weight")
        if f"{theirs}.bias" in weights:
            bias = weights[f"{theirs}.bias"]
            _assign(
                task_state,
                f"{ours}.bias",
                bias[kept] if theirs.startswith("score") else bias,
                f"{theirs}.bias",
            )
    return how


def smooth_random_images(count: int, channels: int, size: tuple[int, int], seed: int = 0) -> torch.Tensor:
    """Seeded blobs in [0, 1] (random 14 x 14 grids upsampled bilinearly): stand-ins for photos."""
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(count, channels, 14, 14, generator=generator)
    return F.interpolate(coarse, size=size, mode="bilinear", align_corners=False)  # (N, C, H, W)


def import_torchvision(
    state_dict_path: str | Path,
    *,
    arch: str = "vgg16",
    category: str,
    task: str | Task | None = None,
    positive_index: int | None = None,
    images: torch.Tensor | None = None,
    license: str = "unspecified",
) -> tuple[StoredModule, StoredModule]:
    """Split a VGG-16 classifier or an FCN-8s (safetensors, torchvision's key names) into our two modules.

    Args:
        state_dict_path: a ``.safetensors`` file, e.g. from
            ``safetensors.torch.save_file(torchvision.models.vgg16().state_dict(), path)``.
        arch: ``"vgg16"`` (a classifier) or ``"fcn8s"`` (a segmenter).
        category: the name the category module is catalogued under (any name, e.g. "forklift").
        task: the task module's task; it must be the architecture's (None: the architecture's).
        positive_index: the category's output (or class) when the head has more than 2 (see the
            module docstring).
        images: float ``(N, C, H, W)`` in [0, 1] to measure `feature_rms` on, ideally the
            category's own photos at 224 x 224 (default: 8 seeded smooth random images).
        license: recorded in both manifests.

    Returns:
        ``(category module, task module)``: conv1_1 ... pool1, and the rest; they share a teacher id,
        so the task module is the category module's teacher task module.

    Raises:
        ModuleFileError: not a safetensors file (a pickle is refused unread), missing or unexpected
            keys, or a tensor of the wrong shape.
        ValueError: an unknown architecture or task, or a `positive_index` that is needed or wrong.
    """
    if arch not in IMPORTABLE:
        raise ValueError(f"cannot import {arch!r}; importable architectures: {', '.join(IMPORTABLE)}")
    resolved = IMPORTABLE[arch]
    if task is not None and Task(str(task)) is not resolved:
        raise ValueError(f"{arch} is a {resolved} net; import it with task {resolved!r} (or leave task out)")
    if not isinstance(category, str) or not category.strip():
        raise ValueError("give the category module a category name, e.g. 'forklift'")
    path = Path(state_dict_path)
    weights = _read_weights(path)
    architecture = get_architecture(arch)
    features = _conv_indices()
    _check_keys(arch, weights, features)
    hidden = weights["classifier.0.weight" if arch == "vgg16" else "fc6.weight"].shape[0]
    settings = architecture.config(
        {
            "image_channels": int(weights["features.0.weight"].shape[1]),
            "hidden": int(hidden),
            "num_classes": 2,
        }
    )
    category_net, task_net = (
        architecture.build_category(settings),
        architecture.build_task(resolved, settings),
    )
    states = {ModuleKind.CATEGORY: category_net.state_dict(), ModuleKind.TASK: task_net.state_dict()}
    for index in features:
        kind, slot = _feature_slot(arch, index)
        for part in ("weight", "bias"):
            _assign(
                states[kind],
                f"{slot}.{part}",
                weights[f"features.{index}.{part}"],
                f"features.{index}.{part}",
            )
    how = (_vgg_head if arch == "vgg16" else _fcn_head)(weights, states[ModuleKind.TASK], positive_index)
    category_net.load_state_dict(states[ModuleKind.CATEGORY])
    task_net.load_state_dict(states[ModuleKind.TASK])
    size = architecture.image_size[resolved]
    return _package(
        arch,
        resolved,
        category.strip(),
        category_net.eval(),
        task_net.eval(),
        settings,
        size,
        _rms_images(images, settings, size),
        how,
        path,
        license,
    )


def _conv_indices() -> list[int]:
    """The indices of the convolutions in torchvision's VGG-16 ``features`` (0, 2, 5, ... 28)."""
    return [i for i, layer in enumerate(make_layers(cfgs["D"])) if isinstance(layer, torch.nn.Conv2d)]


def _rms_images(images: torch.Tensor | None, settings: dict, size: tuple[int, int]) -> torch.Tensor:
    channels = settings["image_channels"]
    if images is None:
        return smooth_random_images(_RMS_IMAGES, channels, size)
    if images.ndim != 4 or images.shape[1] != channels or len(images) == 0:
        raise ValueError(f"images must be (N, {channels}, H, W) with N > 0, got {list(images.shape)}")
    return images.float()


def _package(arch, task, category, category_net, task_net, settings, size, images, how, path, license):
    teacher_id = uuid.uuid4().hex
    native = torch.zeros(1, settings["image_channels"], *size)  # (1, C, H, W): the shapes at the native size
    with torch.inference_mode():
        features = category_net(native)
        output = task_net(features)
    rms = feature_rms(category_net, images)
    if not math.isfinite(rms) or rms <= 0:
        raise ModuleFileError(
            f"{path.name}: the category module's features on the sample images are {rms}; "
            "the weights are broken (NaN or all zero)"
        )
    source = f"Imported from {path.name} (SHA-256 {sha256_of(path)[:16]}...), split after pool1."
    category_module = with_weights_hash(
        StoredModule(
            Manifest(
                kind=ModuleKind.CATEGORY,
                name=f"{category}-{arch}-category",
                architecture=arch,
                category=category,
                categories=(category,),
                input_shape=tuple(native.shape[1:]),
                output_shape=tuple(features.shape[1:]),
                feature_rms=rms,
                config=settings,
                teacher=teacher_id,
                license=license,
                description=f"Category module (conv1 block) of an imported {arch}. {source}",
            ),
            category_net,
        )
    )
    task_module = with_weights_hash(
        StoredModule(
            Manifest(
                kind=ModuleKind.TASK,
                name=f"{category}-{arch}-{task}",
                architecture=arch,
                task=task,
                categories=(category,),
                input_shape=tuple(features.shape[1:]),
                output_shape=tuple(output.shape[1:]),
                feature_rms=rms,
                config=settings,
                teacher=teacher_id,
                license=license,
                description=f"{task.capitalize()} task module of an imported {arch}. {source} {how}",
            ),
            task_net,
        )
    )
    return category_module, task_module
