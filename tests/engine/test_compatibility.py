"""Connection rules and unknown names give clear errors."""

import pytest

from engine import (
    IncompatibleModulesError,
    Task,
    TeacherConfig,
    UnknownArchitectureError,
    check_connectable,
    get_architecture,
    load_task_data,
)


def test_modules_whose_feature_shapes_do_not_fit_are_refused_with_both_shapes(horse_teacher):
    category = horse_teacher.category.manifest
    task = horse_teacher.tasks[Task.CLASSIFICATION].manifest.with_(input_shape=(64, 112, 112))
    with pytest.raises(
        IncompatibleModulesError, match=r"outputs 16 channels \[16, 14, 14\] but .* takes 64 channels"
    ):
        check_connectable(category, task)


def test_an_edge_must_go_from_a_category_module_to_a_task_module(horse_teacher):
    category, task = horse_teacher.category.manifest, horse_teacher.tasks[Task.CLASSIFICATION].manifest
    with pytest.raises(IncompatibleModulesError, match="an edge starts at a category module"):
        check_connectable(task, task)
    with pytest.raises(IncompatibleModulesError, match="an edge ends at a task module"):
        check_connectable(category, category)
    check_connectable(category, task)


def test_an_unknown_architecture_lists_the_known_ones():
    with pytest.raises(UnknownArchitectureError, match="known architectures: fcn8s, vgg-mini, vgg16"):
        get_architecture("alexnet")


def test_an_unknown_category_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unicorn.*cat"):
        load_task_data("unicorn", "classification")


def test_an_architecture_without_the_task_says_which_tasks_it_has():
    from engine import train_teacher

    with pytest.raises(ValueError, match="has no segmentation task module"):
        train_teacher(TeacherConfig(category="cat", tasks=("segmentation",), architecture="vgg16"))
