"""Turn records into Markdown tables beside the paper's figures: mean ± std over seeds per cell."""

from __future__ import annotations

import statistics
from collections import defaultdict

from benchmarks.paper import PAPER

ROW_ORDER = ("direct-learn", "distill", "jacobian", "back-distill", "back-distill (least-squares)", "auto")


def _spread(values: list[float]) -> str:
    if not values:
        return "–"
    mean = statistics.fmean(values)
    return f"{mean:.2f}" if len(values) == 1 else f"{mean:.2f} ± {statistics.stdev(values):.2f}"


def summarise(records: list[dict]) -> dict:
    """{table: {(row, samples): {"cells": {category: [values by seed]}, "avg": [category-mean by seed]}}}."""
    tables: dict = defaultdict(lambda: defaultdict(lambda: {"cells": defaultdict(list), "avg": []}))
    by_seed: dict = defaultdict(list)
    for record in records:
        cell = tables[record["table"]][record["row"], record["samples"]]
        cell["cells"][record["category"]].append(record["value"])
        by_seed[record["table"], record["row"], record["samples"], record["seed"]].append(record["value"])
    for (table, row, samples, _), values in sorted(by_seed.items()):
        tables[table][row, samples]["avg"].append(statistics.fmean(values))
    return tables


def markdown(table: str, summary: dict, unit: str) -> str:
    """One table: a row per (samples, method), our categories then our average, then the paper's average."""
    categories = sorted({c for cell in summary.values() for c in cell["cells"]})
    paper = PAPER.get(table, {})
    head = ["samples", "method", *categories, "avg (ours)", "avg (paper)"]
    lines = [
        f"{unit}; ours: mean ± std over seeds (one value when one seed).",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    keys = sorted(summary, key=lambda key: (-key[1], ROW_ORDER.index(key[0]) if key[0] in ROW_ORDER else 99))
    for row, samples in keys:
        cell = summary[row, samples]
        theirs = paper.get(row, {}).get(samples, {})
        paper_avg = f"{theirs['avg']:.2f}" if "avg" in theirs else "–"
        values = [_spread(cell["cells"].get(c, [])) for c in categories]
        lines.append(
            f"| {samples} | {row} | " + " | ".join(values) + f" | **{_spread(cell['avg'])}** | {paper_avg} |"
        )
    return "\n".join(lines) + "\n"


def comparisons(summary: dict, *, lower_is_better: bool) -> list[str]:
    """For each sample count: does back-distill beat direct-learn on average (our figures)?"""
    lines = []
    for samples in sorted({samples for _, samples in summary}, reverse=True):
        if ("back-distill", samples) not in summary or ("direct-learn", samples) not in summary:
            continue
        ours = statistics.fmean(summary["back-distill", samples]["avg"])
        baseline = statistics.fmean(summary["direct-learn", samples]["avg"])
        wins = ours < baseline if lower_is_better else ours > baseline
        lines.append(
            f"- {samples} samples: back-distill {ours:.2f} vs direct-learn {baseline:.2f}: "
            f"{'holds' if wins else 'does NOT hold'}"
        )
    return lines


def auto_verdicts(summary: dict, *, lower_is_better: bool) -> list[str]:
    """For each sample count: is the product's default (`auto`) no worse than direct-learn beyond the spread
    over seeds (the larger of the two rows' standard deviations), and better than it (the issue asks both:
    better at 10 and 20 samples, never worse beyond the spread)?"""
    lines = []
    for samples in sorted({samples for _, samples in summary}, reverse=True):
        if ("auto", samples) not in summary or ("direct-learn", samples) not in summary:
            continue
        auto, direct = summary["auto", samples]["avg"], summary["direct-learn", samples]["avg"]
        gain = statistics.fmean(direct) - statistics.fmean(auto)
        gain = gain if lower_is_better else -gain
        spread = max(
            statistics.stdev(auto) if len(auto) > 1 else 0.0,
            statistics.stdev(direct) if len(direct) > 1 else 0.0,
        )
        verdict = (
            "better"
            if gain > 0
            else ("no worse beyond the spread" if -gain <= spread else "WORSE beyond the spread")
        )
        lines.append(
            f"- {samples} samples: auto {statistics.fmean(auto):.2f} "
            f"vs direct-learn {statistics.fmean(direct):.2f} "
            f"(gain {gain:+.2f}, spread {spread:.2f}): {verdict}"
        )
    return lines
