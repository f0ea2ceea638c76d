"""The `auto` method: which way of learning an adapter the measurements say is best for an edge.

The rule is the study's (benchmarks/README.md, "Why cross-net grafts lost: the study"), not a guess:
- into the category's own net (the paper's Table 2) back-distill wins at every sample count, and with
  zero samples its one-conv problem is solved exactly;
- across nets, zero samples cannot be learned from labels; back-distill's exact or converged solution is
  the only method that runs, and it ends near chance on Animal-MNIST;
- across nets with a pool of training images (labelled or not), POOL_RULE: distill from the zero-sample
  least-squares start on the pool, labelled by the teacher (the follow-up study: it beat every other row
  at every sample count, zero included);
- across nets with labels but no such pool, CROSS_NET_RULE below holds, per task and sample count, what won
  on average over Tables 3 and 4 (three seeds).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from engine.config import AdapterStart, GraftConfig, Method, Task

# Across nets, with labels: (task, at most this many samples) -> (method, start, distill-weight scale,
# the figure that decided it). The distillation weight becomes c * scale / n with the paper's c.
CROSS_NET_RULE: dict[Task, list[tuple[int, Method, AdapterStart, float, str]]] = {
    Task.CLASSIFICATION: [
        # Direct-learn from the zero-sample least-squares adapter was better than direct-learn on the average
        # of Tables 3 and 4 at every count (worse in Table 4 at 10 and 20 samples, better in Table 3).
        (
            10,
            Method.DIRECT_LEARN,
            AdapterStart.LEAST_SQUARES,
            0.0,
            "error 28.2 / 42.1 against direct-learn's 32.4 / 40.6 in Tables 3 / 4",
        ),
        (
            20,
            Method.DIRECT_LEARN,
            AdapterStart.LEAST_SQUARES,
            0.0,
            "error 26.5 / 39.3 against direct-learn's 33.6 / 36.1 in Tables 3 / 4",
        ),
        (
            10_000,
            Method.DIRECT_LEARN,
            AdapterStart.LEAST_SQUARES,
            0.0,
            "error 20.5 / 29.9 against direct-learn's 26.7 / 30.1 in Tables 3 / 4",
        ),
    ],
    Task.SEGMENTATION: [
        # Table 3 (bottom), two targets: direct-learn from the zero-sample solution was best or level with
        # the best (a stitching start, which needs the student net's category module) at every count.
        (
            10,
            Method.DIRECT_LEARN,
            AdapterStart.LEAST_SQUARES,
            0.0,
            "pixel accuracy 87.0 against direct-learn's 86.1 in Table 3",
        ),
        (
            20,
            Method.DIRECT_LEARN,
            AdapterStart.LEAST_SQUARES,
            0.0,
            "pixel accuracy 87.6 against direct-learn's 86.4 in Table 3",
        ),
        (
            10_000,
            Method.DIRECT_LEARN,
            AdapterStart.LEAST_SQUARES,
            0.0,
            "pixel accuracy 88.1 against direct-learn's 86.6 in Table 3",
        ),
    ],
}
PAPER_C = {Task.CLASSIFICATION: 10.0, Task.SEGMENTATION: 1.0}

# Across nets, with at least MIN_POOL training images: distill on up to POOL_IMAGES of them (labels unread),
# the teacher's outputs as targets, from the least-squares start; per task the figure that decided it.
# The study's pools held 1600 (classification) and 800 (segmentation) images; below MIN_POOL it is untested.
MIN_POOL = 100
POOL_IMAGES = 2000
POOL_RULE: dict[Task, str] = {
    Task.CLASSIFICATION: "error 19.3 / 33.0 at 10 samples and 18.2 / 24.6 with none, against direct-learn's "
    "32.4 / 40.6 at 10, in Tables 3 / 4",
    Task.SEGMENTATION: "pixel accuracy 87.9 / 86.6 at 10 samples and 88.0 / 86.6 with none, against "
    "direct-learn's 86.1 / 86.1 at 10, in Tables 3 / 4",
}

# What a graft across nets starts with in the product (webapp.jobs.edge_settings publishes it for new edges):
# 10 labelled samples, three convs and 1000 Adam steps, so that POOL_RULE's distillation reaches its end.
# On the demo catalog (cat onto the dog, seeds 0-1-2; `python -m benchmarks.web_defaults`) the classifier
# graft ends at 5.25 / 5.75 / 5.00 % error with these, 7.00 / 6.75 / 7.75 % with 300 steps, and 7.67 % on
# average with one conv (teachers: cat 4.0, dog 5.25).
CROSS_NET_SAMPLES = 10
CROSS_NET_ADAPTER_LAYERS = 3
CROSS_NET_STEPS = 1000


@dataclass(frozen=True)
class AutoChoice:
    """What `auto` chose (a concrete config) and one sentence saying why."""

    config: GraftConfig
    reason: str


def auto_method(
    config: GraftConfig,
    *,
    task: Task,
    own_net: bool,
    can_stitch: bool = True,
    unlabelled_available: int = 0,
) -> AutoChoice:
    """Resolve `method="auto"` for a graft of `task`.

    Args:
        config: the graft's settings; its method is replaced (and its start and distillation weight where
            the rule says so); samples, steps, seed and the rest are kept.
        task: the task module's task.
        own_net: whether the task module is the category module's own teacher's (`is_own_task_module`).
        can_stitch: whether the student net's category module is at hand (a stitching start needs it).
        unlabelled_available: how many training images the category's data holds (their labels are not
            read); 0 when there is no data.
    Returns:
        The concrete config and the reason, one sentence for the edge dialog and the CLI.
    """
    n = config.samples
    if own_net:
        chosen = dataclasses.replace(config, method=Method.BACK_DISTILL)
        how = "solved exactly" if chosen.exactly_solvable else "learned"
        return AutoChoice(
            chosen,
            f"back-distill ({how}): into the category's own net it beat direct-learn at every "
            "sample count (Table 2), and it needs no labels",
        )
    if unlabelled_available >= MIN_POOL:
        pool = min(POOL_IMAGES, unlabelled_available)
        chosen = dataclasses.replace(
            config, method=Method.DISTILL, unlabelled=pool, start=AdapterStart.LEAST_SQUARES
        )
        return AutoChoice(
            chosen,
            f"distill on {pool} training images that the teacher labels"
            + (f" and the {n} labelled samples" if n else "")
            + ", from the zero-sample back-distillation solution: across nets it was the best row of "
            f"the study at every sample count ({POOL_RULE[task]})",
        )
    if n == 0:
        chosen = dataclasses.replace(config, method=Method.BACK_DISTILL)
        return AutoChoice(
            chosen,
            "back-distill: with no labelled samples it is the only method that can learn, "
            "but across nets it usually ends near chance; add 10 or more labelled samples",
        )
    rows = CROSS_NET_RULE[task]
    # The first row whose sample count reaches n; beyond the last row's count, the last row holds.
    _, method, start, scale, figure = next((row for row in rows if n <= row[0]), rows[-1])
    if start is AdapterStart.STITCH and not can_stitch:
        start = AdapterStart.LEAST_SQUARES
    weight = PAPER_C[task] * scale / n if method is Method.BACK_DISTILL and scale else None
    chosen = dataclasses.replace(config, method=method, start=start, distill_weight=weight)
    started = {
        AdapterStart.LEAST_SQUARES: " from the zero-sample back-distillation solution",
        AdapterStart.STITCH: " from a stitching fit on unlabelled images",
        AdapterStart.INIT: "",
    }[start]
    return AutoChoice(
        chosen,
        f"{method}{started}: across nets with {n} labelled samples it was the best row "
        f"of the study ({figure})",
    )
