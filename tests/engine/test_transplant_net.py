"""The transplant net grows without forgetting: existing paths stay bit-identical."""

import hashlib

import pytest
import torch

from engine import GraftConfig, IncompatibleModulesError, Task
from engine.storage import weights_bytes
from engine.transplant_net import TransplantNet

QUICK = GraftConfig(steps=3, bank_size=32, batch_size=4, eval_every=3, device="cpu")


def hashes(net: TransplantNet) -> dict[str, str]:
    modules = {**net.category_modules, **net.task_modules, **net.adapters}
    return {name: hashlib.sha256(weights_bytes(module)).hexdigest() for name, module in modules.items()}


def test_grafting_a_new_category_leaves_every_existing_path_bit_identical(horse_teacher, dog_teacher):
    net = TransplantNet()
    net.add_teacher("dog", dog_teacher)
    images = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    before_outputs = net(images, category="dog", task="dog/classification")
    before_hashes = hashes(net)

    net.graft_category("horse", horse_teacher, onto="dog/classification", config=QUICK)

    torch.testing.assert_close(
        net(images, category="dog", task="dog/classification"), before_outputs, rtol=0, atol=0
    )
    after = hashes(net)
    assert {name: after[name] for name in before_hashes} == before_hashes
    assert ("horse", "dog/classification") in net.paths()
    assert net(images, category="horse", task="dog/classification").shape == (8,)


def test_a_teachers_other_task_modules_come_along_when_its_category_module_is_grafted(
    dog_teacher, segmentation_teacher
):
    from engine import TeacherConfig, train_teacher

    two_task_teacher = train_teacher(
        TeacherConfig(
            category="cow", tasks=("classification", "segmentation"), epochs=1, limit_train=64, device="cpu"
        )
    )
    net = TransplantNet()
    net.add_teacher("dog", dog_teacher)
    net.graft_category("cow", two_task_teacher, onto="dog/classification", config=QUICK)
    assert ("cow", "cow/segmentation") in net.paths()
    scenes = torch.rand(2, 1, 64, 64)
    assert net(scenes, category="cow", task="cow/segmentation").shape == (2, 2, 64, 64)


def test_connecting_modules_already_in_the_net_learns_a_new_adapter(horse_teacher, dog_teacher):
    net = TransplantNet()
    net.add_teacher("dog", dog_teacher)
    net.add_teacher("horse", horse_teacher)
    before = hashes(net)
    net.connect_by_graft(
        "horse", "dog/classification", teacher_task=horse_teacher.tasks[Task.CLASSIFICATION], config=QUICK
    )
    assert {name: hashes(net)[name] for name in before} == before
    with pytest.raises(IncompatibleModulesError, match="already connected"):
        net.connect("horse", "dog/classification")


def test_an_unconnected_path_names_the_connected_ones(dog_teacher):
    net = TransplantNet()
    net.add_teacher("dog", dog_teacher)
    with pytest.raises(IncompatibleModulesError, match="connected paths: dog -> dog/classification"):
        net(torch.rand(1, 1, 28, 28), category="dog", task="cat/classification")


def test_fine_tuning_makes_a_new_task_module_and_leaves_the_original_unchanged(horse_teacher, dog_teacher):
    from engine import CategoryPath, FineTuneConfig, fine_tune_task, load_task_data
    from engine.storage import with_weights_hash

    task = dog_teacher.tasks[Task.CLASSIFICATION]
    before = with_weights_hash(task).manifest.sha256
    paths = [
        CategoryPath(dog_teacher.category, None, load_task_data("dog", "classification", limit_train=64)),
        CategoryPath(horse_teacher.category, None, load_task_data("horse", "classification", limit_train=64)),
    ]
    tuned = fine_tune_task(FineTuneConfig(steps=3, eval_every=3, device="cpu"), task=task, paths=paths)
    assert with_weights_hash(task).manifest.sha256 == before
    assert tuned.manifest.sha256 != before
    assert tuned.manifest.categories == ("dog", "horse")
    assert tuned.manifest.parents[0] == {
        "role": "fine_tuned_from",
        "sha256": before,
        "name": task.manifest.name,
    }


def test_a_new_task_module_can_be_learned_on_category_modules_already_in_the_net(horse_teacher, dog_teacher):
    from engine import FineTuneConfig, load_task_data

    net = TransplantNet()
    net.add_teacher("dog", dog_teacher)
    net.add_teacher("horse", horse_teacher)
    before = hashes(net)
    data = {name: load_task_data(name, "segmentation", limit_train=16) for name in ("dog", "horse")}
    module = net.learn_task_module(
        "shared/segmentation",
        Task.SEGMENTATION,
        data=data,
        config=FineTuneConfig(steps=2, eval_every=2, device="cpu"),
    )
    assert module.manifest.categories == ("dog", "horse")
    assert {name: hashes(net)[name] for name in before} == before
    assert net(torch.rand(1, 1, 64, 64), category="horse", task="shared/segmentation").shape == (1, 2, 64, 64)
