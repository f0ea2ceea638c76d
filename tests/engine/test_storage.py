"""Saving and loading modules: exact round trips, and every bad file refused with a clear message."""

import json
import pickle
import struct

import pytest
import torch

from engine import ModuleFileError, Task, load_module, read_manifest, save_module, validate_weights_file
from engine.architectures import get_architecture
from engine.storage import MANIFEST_NAME, WEIGHTS_NAME, StoredModule


@pytest.fixture()
def saved_task(horse_teacher, tmp_path):
    return save_module(horse_teacher.tasks[Task.CLASSIFICATION], tmp_path / "task")


def test_a_save_and_load_round_trip_gives_identical_outputs(horse_teacher, tmp_path):
    for module in (horse_teacher.category, horse_teacher.tasks[Task.CLASSIFICATION]):
        folder = save_module(module, tmp_path / module.manifest.name)
        loaded = load_module(folder)
        inputs = torch.rand(4, *module.manifest.input_shape, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            assert torch.equal(loaded.network(inputs), module.network.eval()(inputs))
        assert loaded.manifest == module.manifest.with_(sha256=loaded.manifest.sha256)
        assert loaded.manifest.sha256 == module.manifest.sha256  # the hash covers exactly the saved bytes


def test_an_adapter_round_trip_keeps_its_permutation_and_beta(horse_teacher, tmp_path):
    from engine import GraftConfig, graft

    task = horse_teacher.tasks[Task.CLASSIFICATION]
    adapter = graft(
        GraftConfig(steps=2, bank_size=32, batch_size=4, device="cpu"),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
    ).adapter
    loaded = load_module(save_module(adapter, tmp_path / "adapter"))
    assert torch.equal(loaded.network.permutation, adapter.network.permutation)
    assert not torch.equal(loaded.network.permutation, torch.arange(16))
    assert float(loaded.network.beta) == float(adapter.network.beta)


def test_a_pickle_in_place_of_safetensors_is_refused_unread(saved_task):
    (saved_task / WEIGHTS_NAME).write_bytes(pickle.dumps({"weight": [1.0, 2.0]}))
    manifest = read_manifest(saved_task)
    with pytest.raises(ModuleFileError, match="not a safetensors file"):
        validate_weights_file(saved_task / WEIGHTS_NAME, manifest)


def test_a_changed_weights_file_fails_its_hash_check(saved_task):
    weights = saved_task / WEIGHTS_NAME
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModuleFileError, match="does not match its manifest"):
        load_module(saved_task)


def test_a_truncated_file_is_refused(saved_task):
    weights = saved_task / WEIGHTS_NAME
    weights.write_bytes(weights.read_bytes()[:-100])
    with pytest.raises(ModuleFileError, match="truncated"):
        validate_weights_file(weights, read_manifest(saved_task))


def test_a_huge_header_is_refused_before_anything_is_read(saved_task):
    weights = saved_task / WEIGHTS_NAME
    weights.write_bytes(struct.pack("<Q", 2**40) + b"{}")
    with pytest.raises(ModuleFileError, match="header would be"):
        validate_weights_file(weights, read_manifest(saved_task))


def test_weights_of_the_wrong_shape_are_refused_naming_the_tensor(horse_teacher, tmp_path):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    wider = get_architecture("vgg-mini").build_task(
        Task.CLASSIFICATION, {**task.manifest.config, "hidden": 64}
    )
    folder = save_module(StoredModule(task.manifest, wider), tmp_path / "wider")
    with pytest.raises(
        ModuleFileError, match=r"has shape \[64, 64, 3, 3\] but the architecture needs \[128, 64, 3, 3\]"
    ):
        load_module(folder)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda m: {**m, "kind": "teleporter"}, "kind must be one of"),
        (
            lambda m: {**m, "architecture": "resnet-9000"},
            "unknown architecture 'resnet-9000'; known architectures: fcn8s",
        ),
        (lambda m: {**m, "input_shape": [16, -1, 14]}, "input_shape must be"),
        (lambda m: {**m, "surprise": 1}, "unknown field"),
        (lambda m: {k: v for k, v in m.items() if k != "name"}, "lacks the field"),
        (lambda m: {**m, "format": 99}, "newer than this engine reads"),
    ],
)
def test_a_bad_manifest_is_refused_with_what_is_wrong(saved_task, change, message):
    path = saved_task / MANIFEST_NAME
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    with pytest.raises(Exception, match=message) as caught:
        load_module(saved_task)
    assert isinstance(caught.value, (ModuleFileError, ValueError))


def test_a_folder_without_a_module_says_what_a_module_folder_holds(tmp_path):
    with pytest.raises(ModuleFileError, match="a module folder holds manifest.json and weights.safetensors"):
        load_module(tmp_path)


def test_a_manifest_that_is_not_json_is_refused(saved_task):
    (saved_task / MANIFEST_NAME).write_text("{not json")
    with pytest.raises(ModuleFileError, match="not valid JSON"):
        load_module(saved_task)


def _write_weights(path, header: dict, data: bytes) -> None:
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + data)


def test_overlapping_data_offsets_are_refused_by_name(tmp_path):
    from engine.storage import read_safetensors_header

    path = tmp_path / WEIGHTS_NAME
    _write_weights(
        path,
        {
            "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            "b": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        },
        b"\0" * 8,
    )
    with pytest.raises(ModuleFileError, match="overlaps"):
        read_safetensors_header(path)
    _write_weights(path, {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8)
    with pytest.raises(ModuleFileError, match="takes 12"):
        read_safetensors_header(path)


def test_absurd_widths_are_refused_without_building_the_network(saved_task, tmp_path):
    import resource

    manifest = read_manifest(saved_task)
    huge = manifest.with_(config={**manifest.config, "widths": [1_000_000, 32, 64]})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ModuleFileError):
        validate_weights_file(saved_task / WEIGHTS_NAME, huge)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 200 * 1024  # the real network would take hundreds of gigabytes


def test_non_finite_weights_and_inconsistent_shapes_are_refused(saved_task, tmp_path):
    from safetensors.torch import load_file, save_file

    manifest = read_manifest(saved_task)
    tensors = load_file(str(saved_task / WEIGHTS_NAME))
    name = next(n for n, t in tensors.items() if t.is_floating_point())
    tensors[name].view(-1)[0] = float("nan")
    save_file(tensors, str(saved_task / WEIGHTS_NAME))
    (saved_task / MANIFEST_NAME).write_text(json.dumps(manifest.with_(sha256="").to_json()))
    with pytest.raises(ModuleFileError, match="NaN"):
        load_module(saved_task)
    wrong = manifest.with_(input_shape=(manifest.input_shape[0] + 2, *manifest.input_shape[1:]))
    with pytest.raises(ModuleFileError, match="input_shape"):
        validate_weights_file(saved_task / WEIGHTS_NAME, wrong)


def test_manifest_fields_are_bounded_and_parents_are_hashes(saved_task):
    manifest = read_manifest(saved_task)
    with pytest.raises(ValueError, match="name is 100000 characters"):
        manifest.with_(name="x" * 100_000)
    with pytest.raises(ValueError, match="parents"):
        manifest.with_(parents=({"role": "category", "sha256": "../../etc/passwd", "name": "x"},))
    with pytest.raises(ValueError, match="input_shape"):
        manifest.with_(input_shape=(1, 10**6, 10**6))
