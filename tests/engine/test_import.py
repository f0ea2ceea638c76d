"""Importing a standard net: torchvision VGG-16 weights (and FCN-8s) split after pool1 into our modules."""

import json

import pytest
import torch
import torchvision
from folder_trees import write_class_folders
from safetensors.torch import save_file
from torch import nn
from torchvision.models.vgg import cfgs, make_layers

from engine import (
    ModuleFileError,
    check_connectable,
    evaluate,
    import_torchvision,
    is_own_task_module,
    load_folder_data,
    load_module,
    path_input_shape,
    save_module,
)
from engine.architectures.vgg16 import FCN8s
from engine.cli import main
from engine.importers import FCN_HEAD
from engine.student import Path, task_logits


class SmallVGG16(nn.Module):
    """torchvision's VGG-16 layers, names and forward, with a narrow classifier (64 wide, not 4096) to
    stay fast."""

    def __init__(self, outputs: int) -> None:
        super().__init__()
        self.features = make_layers(cfgs["D"])
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 64),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(64, 64),
            nn.ReLU(),
            nn.Dropout(),
            nn.Linear(64, outputs),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def small_vgg16(outputs: int, seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return SmallVGG16(outputs).eval()


def saved(model_or_state, path) -> str:
    state = model_or_state.state_dict() if isinstance(model_or_state, nn.Module) else model_or_state
    save_file({name: tensor.contiguous() for name, tensor in state.items()}, str(path))
    return str(path)


def our_logits(category, task, images: torch.Tensor) -> torch.Tensor:
    with torch.inference_mode():
        return task_logits(task.manifest.task, Path(category.network, task.network)(images))


@pytest.fixture(scope="module")
def imagenet_vgg16(tmp_path_factory):
    """torchvision.models.vgg16() itself: random weights (nothing is downloaded), 1000 ImageNet outputs."""
    torch.manual_seed(0)
    model = torchvision.models.vgg16().eval()
    return model, saved(model, tmp_path_factory.mktemp("vgg") / "vgg16.safetensors")


def test_torchvision_vgg16_splits_into_modules_that_reproduce_its_logits(imagenet_vgg16):
    model, path = imagenet_vgg16
    category, task = import_torchvision(path, arch="vgg16", category="forklift", positive_index=3)
    images = torch.rand(2, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        reference = model(images)  # (2, 1000)
    others = [j for j in range(1000) if j != 3]
    expected = reference[:, 3] - reference[:, others].mean(dim=1)
    torch.testing.assert_close(our_logits(category, task, images), expected, rtol=1e-4, atol=1e-5)
    # the split is after pool1, as the paper's: 64 channels at half the image size
    assert category.manifest.output_shape == (64, 112, 112) and task.manifest.input_shape == (64, 112, 112)
    assert category.manifest.category == "forklift" and task.manifest.categories == ("forklift",)
    assert (
        is_own_task_module(task.manifest, task.manifest)
        and category.manifest.teacher == task.manifest.teacher
    )
    assert "minus the mean of the other 999 outputs" in task.manifest.description


def test_a_1000_way_head_without_the_categorys_index_is_refused(imagenet_vgg16):
    with pytest.raises(ValueError, match="has 1000 outputs; give positive_index"):
        import_torchvision(imagenet_vgg16[1], arch="vgg16", category="forklift")


def test_a_two_way_classifier_becomes_the_logit_of_its_softmax(tmp_path):
    model = small_vgg16(2)
    category, task = import_torchvision(
        saved(model, tmp_path / "w.safetensors"), arch="vgg16", category="crane"
    )
    images = torch.rand(1, 3, 224, 224)
    with torch.inference_mode():
        probability = torch.softmax(model(images), dim=1)[:, 1]
    torch.testing.assert_close(
        torch.sigmoid(our_logits(category, task, images)), probability, rtol=1e-4, atol=1e-6
    )


def test_imported_modules_save_load_and_evaluate_on_a_folder(tmp_path):
    model = small_vgg16(1)
    category, task = import_torchvision(
        saved(model, tmp_path / "w.safetensors"), arch="vgg16", category="forklift"
    )
    check_connectable(category.manifest, task.manifest)
    loaded = [
        load_module(save_module(module, tmp_path / name)) for module, name in ((category, "c"), (task, "t"))
    ]
    forklifts = write_class_folders(
        tmp_path / "forklifts", {"forklift": ("cat", 3), "other": ("dog", 3)}, mode="RGB"
    )
    data = load_folder_data(
        forklifts,
        "forklift",
        "classification",
        input_shape=path_input_shape(category.manifest, task.manifest),
    )
    images, labels = data.test.tensors  # (2, 3, 224, 224): one forklift, one other
    with torch.inference_mode():
        reference = model(images)[:, 0]
    torch.testing.assert_close(our_logits(*loaded, images), reference, rtol=1e-4, atol=1e-5)
    expected_error = 100.0 * float(((reference > 0).float() != labels).float().mean())
    metrics = evaluate(
        lambda batch: task_logits(task.manifest.task, Path(loaded[0].network, loaded[1].network)(batch)),
        data.test,
        "classification",
    )
    assert metrics["error"] == pytest.approx(expected_error)


def fcn_state(classes: int) -> tuple[nn.Module, dict[str, torch.Tensor]]:
    """An FCN-8s (ours, narrow fc layers) and its weights under torchvision's VGG and FCN's head names."""
    torch.manual_seed(2)
    network = FCN8s({"image_channels": 3, "hidden": 32, "num_classes": classes}).eval()
    ours = network.state_dict()
    state = {}
    for block in ("to_pool3", "to_pool4", "to_pool5"):  # slices of features: torchvision's numbers
        for key, tensor in ours.items():
            if key.startswith(block + "."):
                state[f"features.{key[len(block) + 1 :]}"] = tensor
    for theirs, mine in FCN_HEAD.items():
        for part in ("weight", "bias"):
            if f"{mine}.{part}" in ours:
                state[f"{theirs}.{part}"] = ours[f"{mine}.{part}"]
    backbone = make_layers(cfgs["D"]).state_dict()
    state.update(
        {f"features.{key}": tensor for key, tensor in backbone.items() if int(key.split(".")[0]) < 5}
    )
    return network, state


def test_a_21_class_fcn8s_keeps_background_and_the_categorys_class_exactly(tmp_path):
    network, state = fcn_state(21)
    category, task = import_torchvision(
        saved(state, tmp_path / "fcn.safetensors"), arch="fcn8s", category="dog", positive_index=12
    )
    first = make_layers(cfgs["D"])[:5]
    first.load_state_dict(
        {
            key.removeprefix("features."): t
            for key, t in state.items()
            if key.startswith("features.") and int(key.split(".")[1]) < 5
        }
    )
    images = torch.rand(1, 3, 64, 64)
    with torch.inference_mode():
        reference = network(first.eval()(images))[:, [0, 12]]  # (1, 2, 64, 64)
    torch.testing.assert_close(our_logits(category, task, images), reference, rtol=1e-4, atol=1e-5)
    assert (
        task.manifest.output_shape == (2, 224, 224)
        and "Classes 0 (background) and 12" in task.manifest.description
    )


def test_an_fcn8s_whose_upsamplers_mix_classes_is_refused(tmp_path):
    _, state = fcn_state(21)
    state["upscore8.weight"] = state["upscore8.weight"].clone()
    state["upscore8.weight"][3, 12] = 0.5
    with pytest.raises(ModuleFileError, match="upscore8 mixes the class channels"):
        import_torchvision(
            saved(state, tmp_path / "fcn.safetensors"), arch="fcn8s", category="dog", positive_index=12
        )


def test_missing_and_unexpected_keys_are_refused_by_name(tmp_path):
    state = small_vgg16(1).state_dict()
    del state["classifier.6.weight"]
    state["features.1.running_mean"] = torch.zeros(64)
    with pytest.raises(ModuleFileError) as error:
        import_torchvision(saved(state, tmp_path / "w.safetensors"), arch="vgg16", category="forklift")
    message = str(error.value)
    assert "classifier.6.weight" in message and "features.1.running_mean" in message and "vgg16_bn" in message


def test_a_tensor_of_the_wrong_shape_is_refused(tmp_path):
    state = small_vgg16(1).state_dict()
    state["features.5.weight"] = torch.zeros(128, 32, 3, 3)
    with pytest.raises(ModuleFileError, match=r"'features.5.weight' has shape \[128, 32, 3, 3\]"):
        import_torchvision(saved(state, tmp_path / "w.safetensors"), arch="vgg16", category="forklift")


def test_a_pickle_is_refused_unread(tmp_path):
    path = tmp_path / "vgg16.pth"
    torch.save(small_vgg16(1).state_dict(), path)
    with pytest.raises(ModuleFileError, match="is it a pickle"):
        import_torchvision(path, arch="vgg16", category="forklift")


def test_an_unknown_architecture_or_a_wrong_task_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="importable architectures: vgg16, fcn8s"):
        import_torchvision(tmp_path / "w.safetensors", arch="resnet50", category="forklift")
    with pytest.raises(ValueError, match="is a classification net"):
        import_torchvision(tmp_path / "w.safetensors", arch="vgg16", category="forklift", task="segmentation")


def test_the_import_command_writes_both_modules(tmp_path, capsys):
    weights = saved(small_vgg16(2), tmp_path / "vgg16.safetensors")
    status = main(
        [
            "import",
            "--arch",
            "vgg16",
            "--weights",
            weights,
            "--category",
            "forklift",
            "--out",
            str(tmp_path / "m"),
            "--json",
        ]
    )
    body = json.loads(capsys.readouterr().out)
    assert status == 0, body
    assert body["modules"] == {
        "category": str(tmp_path / "m" / "category"),
        "classification": str(tmp_path / "m" / "classification"),
    }
    assert load_module(tmp_path / "m" / "category").manifest.category == "forklift"
    status = main(
        [
            "import",
            "--arch",
            "vgg16",
            "--weights",
            str(tmp_path / "missing.safetensors"),
            "--category",
            "x",
            "--out",
            str(tmp_path / "n"),
            "--json",
        ]
    )
    assert status == 2 and "does not exist" in json.loads(capsys.readouterr().out)["error"]
