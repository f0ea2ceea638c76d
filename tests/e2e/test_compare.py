"""Compare methods end to end: a race started from an edge, live curves of four methods, a final table.

One signed-in page (module scope): the race needs the edge the first step draws, and the chosen
runs compared in the last step are the race's. The single worker trains the runs one by one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from test_editor import (
    CATEGORY,
    TASK,
    canvas,
    drag_module,
    draw_connection,
    edge_label,
    edge_panel,
    free_the_worker,
    log_in,
)

# Short runs keep three trainings on one CPU worker to a few minutes; each still draws a curve.
STEPS = 60
RACE_TIMEOUT_S = 600
METHODS = ("Auto (recommended)", "Back-distillation", "Direct learning", "Jacobian matching")


@pytest.fixture(scope="module")
def racer(new_context: Callable[[], BrowserContext]) -> Iterator[Page]:
    """A signed-in page on a new graph holding one edge (its own job cancelled: the worker is free)."""
    context = new_context()
    context.set_default_timeout(45_000)  # the machine may be busy: the seed's own jobs, a benchmark
    page = context.new_page()
    log_in(page)
    free_the_worker(page)
    page.get_by_role("button", name="New graph").click()
    page.get_by_label("New graph name").fill(f"e2e race {time.strftime('%H:%M:%S')}")
    page.get_by_role("button", name="Create graph").click()
    expect(page.get_by_text("An empty graph")).to_be_visible()
    drag_module(page, "category", CATEGORY, 220, 220)
    drag_module(page, "task", TASK, 760, 260)
    draw_connection(
        page,
        page.get_by_label(f"Output features of {CATEGORY}", exact=False),
        page.get_by_label(f"Input features of {TASK}", exact=False),
    )
    dialog = page.get_by_role("dialog", name="Train a new adapter")
    dialog.get_by_label("Training steps").fill(str(STEPS))
    dialog.get_by_label("Seed").fill(str(int(time.time()) % 100_000))
    dialog.get_by_role("button", name="Start training").click()
    expect(edge_label(page)).to_be_visible()
    free_the_worker(page)
    expect(canvas(page)).to_be_visible()
    yield page
    context.close()


def test_compare_methods_races_three_methods_with_live_curves_and_a_final_table(
    racer: Page, screenshots: Path
) -> None:
    edge_label(racer).click()
    edge_panel(racer).get_by_role("button", name="Compare methods").click()
    dialog = racer.get_by_role("dialog", name="Compare methods")
    # The edge's own settings carry over: 10 labelled samples onto another net's classifier.
    expect(dialog.get_by_label("Labelled samples")).to_have_value("10")
    expect(dialog.get_by_label("Training steps")).to_have_value(str(STEPS))
    dialog.get_by_role("button", name="Start the race").click()
    expect(racer).to_have_url(re.compile(r"/compare/\d+$"))
    expect(racer.get_by_role("heading", name=re.compile(r"^Race #\d+"))).to_be_visible()
    legend = racer.get_by_role("list", name="Methods")
    for method in METHODS:
        expect(legend.get_by_text(method, exact=True)).to_be_visible()

    loss = racer.get_by_role("img", name=re.compile(r"^Loss curves of \d+ methods"))
    expect(loss).to_be_visible(timeout=120_000)
    race = racer.locator(".race")
    sizes: list[int] = []
    shot_mid_race = False
    deadline = time.monotonic() + RACE_TIMEOUT_S
    table = racer.get_by_role("table")
    while not racer.get_by_role("heading", name="Final metrics", exact=True).count():
        assert time.monotonic() < deadline, f"the race did not finish within {RACE_TIMEOUT_S}s: {sizes}"
        sizes.append(int(race.get_attribute("data-total-points") or 0))
        if not shot_mid_race and sizes[-1] > STEPS:  # the second run is on the chart
            racer.screenshot(path=str(screenshots / "compare-racing-1440x900.png"), full_page=True)
            shot_mid_race = True
        racer.wait_for_timeout(500)
    assert len(set(sizes)) >= 3 and sizes == sorted(sizes), f"the curves did not grow live: {sizes}"

    # Four methods (the paper's three and auto) on both charts, every step of every run on the loss axis.
    expect(loss).to_have_attribute("data-methods", str(len(METHODS)))
    expect(loss).to_have_attribute("data-points", str(STEPS))
    accuracy = racer.get_by_role("img", name=re.compile(rf"^error curves of {len(METHODS)} methods"))
    expect(accuracy).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(METHODS))
    for method in METHODS:
        row = table.get_by_role("row", name=re.compile(re.escape(method)))
        expect(row).to_contain_text("1/1 done")
        expect(row).to_contain_text(re.compile(r"\d+\.\d%"))
        expect(row).to_contain_text(re.compile(r"\d+\.\d s"))  # its training time, read back at its end
    expect(table.get_by_text("best", exact=True)).to_have_count(1)
    racer.screenshot(path=str(screenshots / "compare-1440x900.png"), full_page=True)
    racer.set_viewport_size({"width": 1280, "height": 720})
    racer.wait_for_timeout(500)  # the charts follow their containers' width
    racer.screenshot(path=str(screenshots / "compare-1280x720.png"))
    # The race scrolls inside its own pane on a small screen: the table is below the charts.
    table.scroll_into_view_if_needed()
    racer.screenshot(path=str(screenshots / "compare-1280x720-table.png"))
    racer.set_viewport_size({"width": 1440, "height": 900})


def test_finished_runs_ticked_in_the_job_queue_open_in_the_compare_view(racer: Page) -> None:
    racer.get_by_role("link", name="Back to the graph").click()
    racer.get_by_role("button", name="Job queue").click()
    jobs = racer.get_by_role("list", name="Jobs")
    picks = jobs.get_by_role("checkbox", name=re.compile(r"^Compare job \d+$"))
    expect(picks.first).to_be_visible()
    # Newest first: the race's three runs; tick two of them.
    picks.nth(0).check()
    picks.nth(1).check()
    racer.get_by_role("link", name="Compare 2 runs").click()
    expect(racer).to_have_url(re.compile(r"/compare\?jobs=\d+,\d+$"))
    expect(racer.get_by_role("heading", name="2 chosen runs")).to_be_visible()
    expect(racer.get_by_role("table").locator("tbody tr")).to_have_count(2)
    expect(racer.get_by_role("img", name=re.compile(r"^Loss curves of 2 methods"))).to_have_attribute(
        "data-points", str(STEPS)
    )
