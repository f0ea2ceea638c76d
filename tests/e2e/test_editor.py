"""The editor end to end, in order: build a graph, train an edge live, inspect it, try it, undo.

The tests share one signed-in page (module scope) because each step needs the graph the
previous one built; training an edge takes about a minute on a CPU.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, WebSocketRoute, expect

CATEGORY = "cat-vgg-mini-category"
OTHER_CATEGORY = "dog-vgg-mini-category"
TASK = "dog-vgg-mini-classification"
# Fewer steps than the default 300 keep the test short on a CPU; the curve still grows live.
STEPS = 300  # long enough on an idle machine to drop the connection mid-training
TRAINING_TIMEOUT_S = 420


def log_in(page: Page) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def free_the_worker(page: Page) -> None:
    """Cancels jobs left by the seed (its example graph), so the one worker trains ours at once."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for status in ("running", "queued"):
        for job in page.request.get(f"/api/jobs/?status={status}&page_size=200").json()["results"]:
            response = page.request.post(f"/api/jobs/{job['id']}/cancel/", headers={"X-CSRFToken": token})
            assert response.ok, response.text()


@pytest.fixture(scope="module")
def sockets() -> list[WebSocketRoute]:
    """The page's graph WebSockets, newest last, passed through so a test can drop one."""
    return []


@pytest.fixture(scope="module")
def editor(new_context: Callable[[], BrowserContext], sockets: list[WebSocketRoute]) -> Iterator[Page]:
    """A signed-in page on a new, empty graph, with the worker free."""
    context = new_context()
    page = context.new_page()

    def pass_through(socket: WebSocketRoute) -> None:
        socket.connect_to_server()
        sockets.append(socket)

    page.route_web_socket(re.compile(r"/ws/graphs/\d+/$"), pass_through)
    log_in(page)
    free_the_worker(page)
    page.get_by_role("button", name="New graph").click()
    name = f"e2e graph {time.strftime('%H:%M:%S')}"
    page.get_by_label("New graph name").fill(name)
    page.get_by_role("button", name="Create graph").click()
    expect(page.get_by_role("combobox", name="Graph")).to_contain_text(name)
    expect(page.get_by_text("An empty graph")).to_be_visible()
    yield page
    context.close()


def canvas(page: Page) -> Locator:
    return page.get_by_role("region", name="Graph canvas")


def edge_label(page: Page) -> Locator:
    return page.get_by_role("button", name=re.compile(rf"^Edge {CATEGORY} to {TASK}"))


def edge_panel(page: Page) -> Locator:
    return page.get_by_role("complementary", name="Edge details")


def drag_module(page: Page, kind: str, name: str, x: int, y: int) -> Locator:
    """Drags a palette module onto the canvas at (x, y) and returns the new node."""
    item = page.get_by_role("listitem", name=f"{kind} module {name}")
    item.drag_to(canvas(page), target_position={"x": x, "y": y})
    node = page.get_by_role("group", name=f"{kind.capitalize()} module {name}")
    expect(node).to_have_count(1)
    return node


def draw_connection(page: Page, source_handle: Locator, target_handle: Locator) -> None:
    start = source_handle.bounding_box()
    end = target_handle.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.up()


def test_modules_dragged_from_the_palette_become_nodes_where_dropped(editor: Page) -> None:
    category = drag_module(editor, "category", CATEGORY, 200, 200)
    drag_module(editor, "task", TASK, 760, 240)
    drag_module(editor, "category", OTHER_CATEGORY, 200, 480)
    box = category.bounding_box()
    area = canvas(editor).bounding_box()
    assert box and area
    centre = (box["x"] + box["width"] / 2 - area["x"], box["y"] + box["height"] / 2 - area["y"])
    assert abs(centre[0] - 200) < 40 and abs(centre[1] - 200) < 40, (
        f"dropped at (200, 200), drawn at {centre}"
    )
    expect(category).to_contain_text("vgg-mini")


def test_an_invalid_connection_is_refused_with_its_reason(editor: Page) -> None:
    draw_connection(
        editor,
        editor.get_by_label(f"Output features of {CATEGORY}", exact=False),
        editor.get_by_label(f"Output features of {OTHER_CATEGORY}", exact=False),
    )
    alert = editor.get_by_role("alert")
    expect(alert).to_contain_text("Connection refused")
    expect(alert).to_contain_text("category modules")
    expect(editor.get_by_role("dialog")).to_have_count(0)
    expect(editor.get_by_role("button", name=re.compile(r"^Edge "))).to_have_count(0)
    editor.get_by_role("button", name="Dismiss message").click()
    expect(alert).to_have_count(0)


def test_a_new_edge_trains_live_until_it_succeeds_across_a_reconnect(
    editor: Page, sockets: list[WebSocketRoute], screenshots: Path
) -> None:
    draw_connection(
        editor,
        editor.get_by_label(f"Output features of {CATEGORY}", exact=False),
        editor.get_by_label(f"Input features of {TASK}", exact=False),
    )
    dialog = editor.get_by_role("dialog", name="Train a new adapter")
    expect(dialog.get_by_label("Method")).to_have_value("auto")
    # The cat's category module onto the dog's classifier: another net, so a few labels, three convs and
    # more steps by default; a caution if a person picks zero-sample back-distill there.
    spec = editor.request.get("/api/edge-settings/").json()
    assert spec["fields"]["steps"]["default"] < spec["cross_net_steps"]
    samples = dialog.get_by_label("Labelled samples")
    expect(samples).to_have_value(str(spec["cross_net_samples"]))
    expect(dialog.get_by_role("radio", name="3 layers")).to_be_checked()
    expect(dialog.get_by_label("Training steps")).to_have_value(str(spec["cross_net_steps"]))
    # Auto says what it picks for this edge, and why, in one sentence under the method: the teacher
    # labels the cat problem's 1600 Animal-MNIST training images.
    pool = "Auto: distill on 1600 training images that the teacher labels"
    expect(dialog.get_by_text(re.compile(f"^{pool} and the 10 labelled samples"))).to_be_visible()
    samples.fill("0")
    expect(dialog.get_by_text(re.compile(f"^{pool}, from the zero-sample"))).to_be_visible()
    caution = dialog.get_by_text("Without labelled samples, back-distillation onto another net")
    expect(caution).to_have_count(0)  # auto learns without labels here
    dialog.get_by_label("Method").select_option("back-distill")
    expect(caution).to_be_visible()
    dialog.screenshot(path=str(screenshots / "new-edge-caution.png"))
    dialog.get_by_label("Method").select_option("auto")
    samples.fill("10")
    expect(caution).to_have_count(0)
    dialog.get_by_label("Training steps").fill(str(STEPS))
    # A seed no earlier run used, so the server trains instead of reusing a finished adapter.
    dialog.get_by_label("Seed").fill(str(int(time.time()) % 100_000))
    dialog.get_by_role("button", name="Start training").click()
    expect(dialog).to_have_count(0)

    edge = edge_label(editor)
    expect(edge).to_be_visible()
    sizes: list[int] = []
    connections_before = len(sockets)
    dropped = False
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    while (status := edge.get_attribute("data-status")) != "succeeded":
        assert status not in {"failed", "cancelled"}, f"the edge's job ended {status}"
        assert time.monotonic() < deadline, f"the edge's job did not succeed within {TRAINING_TIMEOUT_S}s"
        sparkline = edge.locator("svg.sparkline")
        if status == "running" and sparkline.count():
            sizes.append(int(sparkline.get_attribute("data-points") or 0))
        if not dropped and len(set(sizes)) >= 2:
            # Drop the live connection mid-training: the page must reconnect and backfill.
            sockets[-1].close(code=4000, reason="e2e: connection dropped")
            dropped = True
        editor.wait_for_timeout(250)
    assert dropped, f"training finished before the test could drop the connection: {sizes}"
    assert len(set(sizes)) >= 2 and sizes == sorted(sizes), (
        f"the loss sparkline did not grow while training: {sizes}"
    )
    expect(editor.get_by_role("status", name="Live updates: Live")).to_be_visible()
    assert len(sockets) > connections_before, "the page did not reconnect after the connection dropped"
    editor.screenshot(path=str(screenshots / "editor.png"))


def test_the_edge_panel_shows_the_full_curve_settings_and_evaluation(editor: Page) -> None:
    edge_label(editor).click()
    panel = edge_panel(editor)
    expect(panel).to_be_visible()
    chart = panel.get_by_role("img", name=re.compile(r"Loss curve, \d+ points"))
    expect(chart).to_be_visible()
    # Every stored step arrives once: live points and the backfill merge without gaps or duplicates.
    expect(chart).to_have_attribute("data-points", str(STEPS))
    expect(panel.get_by_text("Auto (recommended)", exact=True)).to_be_visible()
    expect(panel.get_by_role("list", name="Final metrics")).to_be_visible()
    expect(panel.get_by_role("slider", name="Smoothing")).to_be_visible()


def test_try_it_runs_the_path_on_a_drawn_image(editor: Page, screenshots: Path) -> None:
    panel = edge_panel(editor)
    panel.get_by_role("tab", name="Try it").click()
    pad = panel.get_by_role("img", name=re.compile(r"Drawing area"))
    box = pad.bounding_box()
    assert box
    editor.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.25)
    editor.mouse.down()
    for fx, fy in [(0.7, 0.25), (0.7, 0.75), (0.3, 0.75), (0.3, 0.25)]:
        editor.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=8)
    editor.mouse.up()
    panel.get_by_role("button", name="Run prediction").click()
    prediction = panel.get_by_role("status", name="Prediction")
    expect(prediction).to_contain_text("Class probability")
    expect(prediction).to_contain_text(re.compile(r"\d+\.\d%"))
    editor.screenshot(path=str(screenshots / "try-it.png"))


def test_the_insight_tab_shows_pseudo_gradient_maps_and_pca(editor: Page, screenshots: Path) -> None:
    panel = edge_panel(editor)
    panel.get_by_role("tab", name="Insight").click()
    expect(panel.get_by_role("img", name="Teacher")).to_be_visible(timeout=60_000)
    expect(panel.get_by_role("img", name="Student")).to_be_visible()
    expect(panel.get_by_role("img", name=re.compile(r"PCA of features"))).to_be_visible()
    editor.screenshot(path=str(screenshots / "edge-panel.png"))


def test_undo_removes_the_last_edge(editor: Page) -> None:
    if edge_panel(editor).count():
        editor.get_by_role("button", name="Close Edge details").click()
    canvas(editor).click(position={"x": 30, "y": 30})
    editor.keyboard.press("Control+z")
    expect(edge_label(editor)).to_have_count(0)
    graph_id = re.search(r"graph=(\d+)", editor.url)
    assert graph_id
    graph = editor.request.get(f"/api/graphs/{graph_id.group(1)}/").json()
    assert graph["edges"] == []
    assert len(graph["nodes"]) == 3
    expect(editor.get_by_role("button", name="Redo")).to_be_enabled()


def test_the_delete_key_removes_a_node_and_undo_brings_it_back(editor: Page) -> None:
    node = editor.get_by_role("group", name=f"Category module {OTHER_CATEGORY}")
    node.click()
    editor.keyboard.press("Delete")
    expect(node).to_have_count(0)
    editor.keyboard.press("Control+z")
    expect(node).to_have_count(1)
    editor.keyboard.press("Control+Shift+z")
    expect(node).to_have_count(0)


def test_catalog_filters_by_facet_and_shows_lineage(page: Page, screenshots: Path) -> None:
    log_in(page)
    page.get_by_role("link", name="Catalog").click()
    expect(page.get_by_role("list", name="Modules").get_by_role("listitem").first).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Kind: category")).click()
    card = page.get_by_role("listitem", name=f"category module {CATEGORY}")
    expect(card).to_be_visible()
    expect(page.get_by_role("listitem", name=f"task module {TASK}")).to_have_count(0)
    card.get_by_role("button", name=f"Lineage of {CATEGORY}").click()
    expect(
        card.get_by_role("list", name=f"Lineage of {CATEGORY}").or_(card.get_by_text("No adapters join"))
    ).to_be_visible()
    page.get_by_role("button", name="Clear all").click()
    expect(page.get_by_role("listitem", name=f"task module {TASK}")).to_be_visible()
    page.screenshot(path=str(screenshots / "catalog.png"))
