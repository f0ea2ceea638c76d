"""The paper's experiments as lists of grafts: each run returns one record (table, row, samples, category,
seed, value) with the value measured on the target category's test split."""

from __future__ import annotations

import time
from dataclasses import dataclass

from engine import GraftConfig, Method, Task, graft
from engine.data import leave_one_out

from benchmarks.common import DATA_SEED, Teacher, task_data, teacher

METRIC = {Task.CLASSIFICATION: "error", Task.SEGMENTATION: "pixel_accuracy"}
TARGETS = ("cat", "cow", "horse", "sheep")  # Tables 3 and 4: every mammal but the dog


@dataclass(frozen=True)
class Profile:
    """How much compute a run spends. `steps` are Adam steps per graft (direct-learn and back-distill
    alike); teachers train for `*_epochs` on `limit_train` images per problem (None: all); `bank_size`
    random draws are precomputed per back-distill graft. Segmentation grafts cost about ten times a
    classification graft, so they get their own target list."""

    name: str
    seeds: tuple[int, ...]
    table2_categories: tuple[str, ...]
    targets: tuple[str, ...]
    segmentation_targets: tuple[str, ...]
    table4_tasks: tuple[Task, ...]
    samples: tuple[int, ...]
    steps: int
    zero_sample_steps: int
    classifier_epochs: int
    segmenter_epochs: int
    loo_epochs: int
    limit_train: int | None
    loo_limit_train: int | None
    bank_size: int


QUICK = Profile("quick", seeds=(0,), table2_categories=("cat", "dog", "horse"), targets=("cat", "horse"),
                segmentation_targets=("cat",), table4_tasks=(Task.CLASSIFICATION,), samples=(10, 100), steps=100,
                zero_sample_steps=600, classifier_epochs=6, segmenter_epochs=8, loo_epochs=10, limit_train=None,
                loo_limit_train=320, bank_size=256)
FULL = Profile("full", seeds=(0, 1, 2), table2_categories=("cat", "cow", "dog", "horse", "sheep"), targets=TARGETS,
               segmentation_targets=TARGETS, table4_tasks=(Task.CLASSIFICATION, Task.SEGMENTATION),
               samples=(10, 20, 50, 100), steps=150, zero_sample_steps=1000, classifier_epochs=12, segmenter_epochs=8,
               loo_epochs=10, limit_train=None, loo_limit_train=320, bank_size=512)


@dataclass(frozen=True)
class Record:
    table: str
    row: str
    samples: int
    category: str
    seed: int
    value: float
    seconds: float


def _graft(table: str, row: str, config: GraftConfig, *, category: str, task: Task, seed: int, student: Teacher,
           source: Teacher, keep: dict | None = None) -> Record:
    """Graft `category`'s module from `source` (its own teacher) onto `student`'s task module."""
    start = time.perf_counter()
    result = graft(config, category=source.categories[category], task=student.task, teacher_task=source.task,
                   data=task_data(category, task))
    if keep is not None:
        keep[(row, config.samples, category, seed)] = result.adapter
    return Record(table, row, config.samples, category, seed, result.metrics[METRIC[task]], time.perf_counter() - start)


def own_teacher(profile: Profile, category: str, task: Task, seed: int) -> Teacher:
    epochs = profile.classifier_epochs if task is Task.CLASSIFICATION else profile.segmenter_epochs
    return teacher(category, task, seed=seed, epochs=epochs, limit_train=profile.limit_train)


def loo_teacher(profile: Profile, target: str, task: Task, seed: int) -> Teacher:
    """The "leave-one-out" task module: every Animal-MNIST category but the target (the other mammals
    plus bear, bird, elephant, giraffe, zebra), trained as the union of per-category problems."""
    return teacher(leave_one_out(target), task, seed=seed, epochs=profile.loo_epochs,
                   limit_train=profile.loo_limit_train, name=f"all-but-{target}")


def table2(profile: Profile, log, keep: dict) -> list[Record]:
    """Exp. 1: an adapter inserted into each category's own classifier (reorder on, 3x3 convs)."""
    records = []
    for seed in profile.seeds:
        for category in profile.table2_categories:
            own = own_teacher(profile, category, Task.CLASSIFICATION, seed)
            for layers, table in ((1, "table2-one-conv"), (3, "table2-three-conv")):
                base = dict(adapter_layers=layers, kernel_size=3, seed=seed, data_seed=DATA_SEED, device="cpu",
                            bank_size=profile.bank_size)
                runs = [("back-distill", GraftConfig(samples=0, steps=profile.zero_sample_steps,
                                                     eval_every=profile.zero_sample_steps, **base))]
                if layers == 1:  # the exact solution of the zero-sample problem, for comparison
                    runs.append(("back-distill (least-squares)", GraftConfig(samples=0, solver="least-squares", **base)))
                for n in profile.samples:
                    for method in (Method.DIRECT_LEARN, Method.BACK_DISTILL):
                        runs.append((str(method), GraftConfig(method=method, samples=n, steps=profile.steps,
                                                              eval_every=profile.steps, **base)))
                for row, config in runs:
                    records.append(_graft(table, row, config, category=category, task=Task.CLASSIFICATION, seed=seed,
                                          student=own, source=own, keep=keep if layers == 3 else None))
                    log(records[-1])
    return records


def transplant_tables(profile: Profile, log, *, leave_one_out_modules: bool, tasks: tuple[Task, ...] = tuple(Task),
                      ) -> list[Record]:
    """Exps. 2 and 3: each target's category module onto the dog's task modules (Table 3), or onto
    leave-one-out task modules (Table 4). Classification: 3 x 1x1 conv adapter; segmentation: 1 x 1x1."""
    name = "table4" if leave_one_out_modules else "table3"
    records = []
    for seed in profile.seeds:
        for task, layers, methods, targets in (
            (Task.CLASSIFICATION, 3, (Method.DIRECT_LEARN, Method.BACK_DISTILL, Method.JACOBIAN), profile.targets),
            (Task.SEGMENTATION, 1, (Method.DIRECT_LEARN, Method.DISTILL, Method.BACK_DISTILL, Method.JACOBIAN),
             profile.segmentation_targets),
        ):
            if task not in tasks or (leave_one_out_modules and task not in profile.table4_tasks):
                continue
            dog = None if leave_one_out_modules else own_teacher(profile, "dog", task, seed)
            for target in targets:
                source = own_teacher(profile, target, task, seed)
                student = loo_teacher(profile, target, task, seed) if leave_one_out_modules else dog
                for n in profile.samples:
                    for method in methods:
                        config = GraftConfig(method=method, samples=n, adapter_layers=layers, kernel_size=1,
                                             steps=profile.steps, eval_every=profile.steps, seed=seed, data_seed=DATA_SEED,
                                             device="cpu", bank_size=profile.bank_size)
                        records.append(_graft(f"{name}-{task}", str(method), config, category=target, task=task,
                                              seed=seed, student=student, source=source))
                        log(records[-1])
    return records
