"""Multi-category teachers: one category module per category, shared task modules (Table 4's modules)."""

import pytest
import torch

from engine import Evaluated, GraftConfig, Task, TeacherConfig, graft, train_teacher


def test_a_tuple_of_categories_is_kept_and_named():
    config = TeacherConfig(category=["cat", "cow"], name="not-dog")
    assert (
        config.category == ("cat", "cow")
        and config.categories == ("cat", "cow")
        and config.label == "not-dog"
    )
    assert TeacherConfig(category="cat").categories == ("cat",)
    assert TeacherConfig(category=("cat", "cow")).label == "cat+cow"


@pytest.mark.parametrize("category", [(), ("cat", "cat"), ("cat", "")])
def test_an_empty_or_repeated_category_set_is_refused(category):
    with pytest.raises(ValueError, match="distinct names"):
        TeacherConfig(category=category)


def test_a_multi_category_teacher_shares_its_task_module_across_category_modules():
    config = TeacherConfig(
        category=("cat", "cow", "bird"), name="loo", epochs=1, limit_train=64, batch_size=32, device="cpu"
    )
    result = train_teacher(config)
    assert list(result.category_modules) == ["cat", "cow", "bird"]
    assert result.category is result.category_modules["cat"]
    task = result.tasks[Task.CLASSIFICATION]
    assert (
        task.manifest.categories == ("cat", "cow", "bird")
        and task.manifest.name == "loo-vgg-mini-classification"
    )
    teachers = {module.manifest.teacher for module in [*result.category_modules.values(), task]}
    assert len(teachers) == 1
    first, second = (m.network for m in (result.category_modules["cat"], result.category_modules["cow"]))
    assert not torch.equal(first[0].weight, second[0].weight)  # each category learns its own module
    assert 0.0 <= result.metrics[Task.CLASSIFICATION]["error"] <= 100.0


def test_a_category_module_from_elsewhere_grafts_onto_a_multi_category_task_module(horse_teacher):
    loo = train_teacher(TeacherConfig(category=("cat", "cow"), epochs=1, limit_train=64, device="cpu"))
    task = loo.tasks[Task.CLASSIFICATION]
    config = GraftConfig(samples=10, steps=2, eval_every=2, bank_size=32, batch_size=8, device="cpu")
    result = graft(
        config,
        category=horse_teacher.category,
        task=task,
        teacher_task=horse_teacher.tasks[Task.CLASSIFICATION],
    )
    assert "error" in result.metrics


def test_a_single_category_teacher_keeps_its_module_names_and_is_reproducible():
    config = TeacherConfig(category="cat", epochs=1, limit_train=64, device="cpu")
    first, second = train_teacher(config), train_teacher(config)
    assert list(first.category_modules) == ["cat"] and first.category.manifest.name == "cat-vgg-mini-category"
    torch.testing.assert_close(first.category.network[0].weight, second.category.network[0].weight)


def test_evaluating_only_after_the_last_epoch_trains_the_same_weights():
    base = dict(category=("cat", "cow"), epochs=2, limit_train=64, batch_size=32, device="cpu")
    events: dict[bool, list] = {True: [], False: []}
    results = {
        each: train_teacher(TeacherConfig(evaluate_each_epoch=each, **base), on_event=events[each].append)
        for each in (True, False)
    }
    evaluations = {each: [event for event in events[each] if isinstance(event, Evaluated)] for each in events}
    assert len(evaluations[True]) == 2 and len(evaluations[False]) == 1  # two epochs; the last one only
    assert results[True].metrics == results[False].metrics
    for name in ("cat", "cow"):
        every, last = (results[each].category_modules[name].network.state_dict() for each in (True, False))
        assert all(torch.equal(every[key], last[key]) for key in every)
