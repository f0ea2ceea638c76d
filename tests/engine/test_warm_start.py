"""A teacher can start from pretrained modules (fine-tuning), as the paper's teachers all started from
one ImageNet VGG-16; bad starts are refused with what to give instead."""

import pytest
import torch

from engine import GraftConfig, Task, TeacherConfig, graft, train_teacher


def _tiny(category: str, **overrides) -> TeacherConfig:
    return TeacherConfig(category=category, epochs=1, limit_train=64, device="cpu", **overrides)


def test_a_teacher_started_from_another_begins_with_its_weights_and_records_the_lineage(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    # A vanishing learning rate: after training, the weights are still the start's.
    started = train_teacher(_tiny("cow", learning_rate=1e-12), start_from=(horse_teacher.category, task))
    for new, old in ((started.category, horse_teacher.category), (started.tasks[Task.CLASSIFICATION], task)):
        for (name, value), reference in zip(
            new.network.state_dict().items(), old.network.state_dict().values(), strict=True
        ):
            torch.testing.assert_close(value, reference, rtol=0, atol=1e-6, msg=name)
        assert new.manifest.parents == (old.manifest.parent_entry("fine_tuned_from"),)
    fresh = train_teacher(_tiny("cow", learning_rate=1e-12))
    first = next(iter(fresh.category.network.state_dict().values()))
    assert not torch.allclose(first, next(iter(horse_teacher.category.network.state_dict().values())))
    assert fresh.category.manifest.parents == ()


def test_every_category_module_of_a_multi_category_teacher_starts_from_the_one_given(horse_teacher):
    result = train_teacher(_tiny(("cat", "dog"), learning_rate=1e-12), start_from=(horse_teacher.category,))
    reference = horse_teacher.category.network.state_dict()
    for module in result.category_modules.values():
        for name, value in module.network.state_dict().items():
            torch.testing.assert_close(value, reference[name], rtol=0, atol=1e-6)


def test_an_adapter_or_a_task_the_teacher_does_not_train_is_refused(horse_teacher, segmentation_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    adapter = graft(
        GraftConfig(steps=1, bank_size=8, batch_size=4, device="cpu"),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
    ).adapter
    with pytest.raises(ValueError, match="no adapters"):
        train_teacher(_tiny("cow"), start_from=(adapter,))
    with pytest.raises(ValueError, match="which the teacher does not train"):
        train_teacher(_tiny("cow"), start_from=(segmentation_teacher.tasks[Task.SEGMENTATION],))


def test_a_segmenter_starts_from_a_classifiers_leading_convolutions(horse_teacher):
    """As FCN-8s starts from VGG-16: the convolutions whose shapes agree are copied, the rest keep their
    start."""
    classifier = horse_teacher.tasks[Task.CLASSIFICATION]
    result = train_teacher(
        TeacherConfig(
            category="cow",
            tasks=(Task.SEGMENTATION,),
            epochs=1,
            limit_train=8,
            learning_rate=1e-12,
            device="cpu",
            evaluate_each_epoch=False,
        ),
        start_from=(horse_teacher.category, classifier),
    )
    segmenter = result.tasks[Task.SEGMENTATION].network
    source_convs = [m for m in classifier.network.modules() if isinstance(m, torch.nn.Conv2d)]
    torch.testing.assert_close(segmenter.block2[0].weight, source_convs[0].weight, rtol=1e-6, atol=1e-8)
    torch.testing.assert_close(segmenter.block3[2].weight, source_convs[3].weight, rtol=1e-6, atol=1e-8)
    assert result.tasks[Task.SEGMENTATION].manifest.parents[0]["sha256"] == classifier.manifest.sha256
