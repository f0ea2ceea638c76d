"""The first five minutes: one click from the login page into a running demo, a module's page
with its lineage graph, and an API token made in the browser and used by a script.

Screenshots at 1440 x 900 and 1280 x 720 go to tests/e2e/screenshots/; each test also checks
with bounding boxes that no edge label covers a node and no node hides under a side panel.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

EXAMPLE_GRAPH = "Example: cat onto dog's classifier"
CATEGORY = "cat-vgg-mini-category"
TASK = "dog-vgg-mini-classification"
TEACHER_TASK = "cat-vgg-mini-classification"
VIEWPORTS = ({"width": 1440, "height": 900}, {"width": 1280, "height": 720})


def _box(locator: Locator) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not on screen"
    return box


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def _settle(page: Page) -> None:
    page.wait_for_timeout(700)  # the canvas re-fits 60 ms after a resize and animates for 200 ms


def _api(url: str, token: str, method: str = "GET", body: dict | None = None) -> tuple[int, dict]:
    """A curl-style request from a script: no cookies, only the token."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Authorization": token, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def _check_demo_layout(page: Page) -> None:
    """Both nodes and the edge label are visible, apart, and clear of any open side panel."""
    canvas = page.get_by_role("region", name="Graph canvas")
    category = page.get_by_role("group", name=f"Category module {CATEGORY}")
    task = page.get_by_role("group", name=f"Task module {TASK}")
    label = page.get_by_role("button", name=re.compile(rf"^Edge {CATEGORY} to {TASK}"))
    expect(label).to_be_visible()
    boxes = {"category": _box(category), "task": _box(task), "label": _box(label)}
    assert not _overlap(boxes["label"], boxes["category"]), boxes
    assert not _overlap(boxes["label"], boxes["task"]), boxes
    assert not _overlap(boxes["category"], boxes["task"]), boxes
    canvas_box = _box(canvas)
    for name in ("category", "task", "label"):
        assert _inside(boxes[name], canvas_box), (name, boxes[name], canvas_box)


def test_one_click_from_the_login_page_to_a_running_demo(page: Page, screenshots: Path) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_text("try the demo below without one")).to_be_visible()
    expect(page.get_by_text(re.compile(r"deleted after 2 hours without use"))).to_be_visible()
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        page.screenshot(path=str(screenshots / f"login-{viewport['width']}.png"))
    page.set_viewport_size(VIEWPORTS[0])

    page.get_by_role("button", name="Try the demo").click()

    expect(page.get_by_role("combobox", name="Graph")).to_contain_text(EXAMPLE_GRAPH, timeout=30_000)
    expect(page.get_by_role("status", name="Demo sandbox")).to_contain_text("deleted after 2 hours")
    label = page.get_by_role("button", name=re.compile(rf"^Edge {CATEGORY} to {TASK}"))
    expect(label).to_contain_text(re.compile(r"Queued|Training|Succeeded"))
    category = page.get_by_role("group", name=f"Category module {CATEGORY}")
    # A category module shows its teacher's error, labelled so, never the teacher's mean IoU.
    expect(category.get_by_label(re.compile(r"^teacher error \d"))).to_be_visible()
    expect(category).not_to_contain_text("mean IoU")
    _settle(page)

    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        _settle(page)
        _check_demo_layout(page)
        page.screenshot(path=str(screenshots / f"demo-editor-{viewport['width']}.png"))
        label.click()
        panel = page.get_by_role("complementary", name="Edge details")
        expect(panel).to_be_visible()
        _settle(page)
        _check_demo_layout(page)
        for node in ("Category module", "Task module"):
            node_box = _box(page.get_by_role("group", name=re.compile(rf"^{node}")))
            assert not _overlap(node_box, _box(panel)), (node, node_box)
        page.screenshot(path=str(screenshots / f"demo-edge-panel-{viewport['width']}.png"))
        page.keyboard.press("Escape")
        page.get_by_role("region", name="Graph canvas").click(position={"x": 20, "y": 20})
        expect(panel).to_have_count(0)

    # Free the one worker for the next tests: the demo's own training is not what they check.
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for job in page.request.get("/api/jobs/?page_size=50").json()["results"]:
        if job["status"] in ("queued", "running"):
            page.request.post(f"/api/jobs/{job['id']}/cancel/", headers={"X-CSRFToken": token})


def _log_in_as_demo(page: Page) -> str:
    page.goto("/login")
    page.get_by_label("Username").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=30_000)
    return next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")


def _train_small_adapter(page: Page, csrf: str) -> int:
    """Draws cat's category module onto dog's classifier (10 steps) and waits for the adapter."""
    headers = {"X-CSRFToken": csrf}
    for status in ("running", "queued"):
        for job in page.request.get(f"/api/jobs/?status={status}&page_size=200").json()["results"]:
            page.request.post(f"/api/jobs/{job['id']}/cancel/", headers=headers)
    modules = {m["name"]: m["id"] for m in page.request.get("/api/modules/?page_size=100").json()["results"]}
    graph = page.request.post("/api/graphs/", data={"name": f"lineage {time.time()}"}, headers=headers).json()
    nodes = [
        page.request.post(
            f"/api/graphs/{graph['id']}/nodes/",
            headers=headers,
            data={"module": modules[name], "x": x, "y": 0},
        ).json()
        for name, x in ((CATEGORY, 0), (TASK, 600))
    ]
    edge = page.request.post(
        f"/api/graphs/{graph['id']}/edges/",
        headers=headers,
        data={
            "source": nodes[0]["id"],
            "target": nodes[1]["id"],
            "settings": {"steps": 10, "seed": int(time.time()) % 1000},
        },
    ).json()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = page.request.get(f"/api/jobs/{edge['job']['id']}/").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            assert job["status"] == "succeeded", job
            return job["adapter"]
        time.sleep(1)
    raise AssertionError("the adapter did not finish training within 300 s")


def test_a_module_page_draws_its_lineage_and_checks_its_weights(page: Page, screenshots: Path) -> None:
    csrf = _log_in_as_demo(page)
    adapter = _train_small_adapter(page, csrf)
    page.goto(f"/modules/{adapter}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"cat-to-{TASK}", timeout=30_000)
    graph = page.get_by_role("figure", name="Lineage graph")
    for name in (CATEGORY, TASK, TEACHER_TASK):
        expect(graph.get_by_text(name, exact=True)).to_be_visible()
    expect(graph.get_by_text("teacher's task")).to_be_visible()
    expect(page.get_by_role("list", name="Integrity checks")).to_contain_text(
        "No forgetting: the 3 frozen modules it was made from are unchanged"
    )
    expect(page.get_by_text("The stored weights match this hash")).to_be_visible()
    expect(page.get_by_role("table", name="Jobs using this module")).to_contain_text("adapter")
    expect(page.get_by_label("CLI snippet")).to_contain_text("transplant evaluate --category-module category")
    expect(page.get_by_role("link", name=re.compile("^Download"))).to_have_attribute(
        "href", f"/api/modules/{adapter}/download/"
    )
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        page.wait_for_timeout(300)
        cards = [
            _box(graph.get_by_label(re.compile(rf"^\w+ {re.escape(n)}$")))
            for n in (CATEGORY, TASK, TEACHER_TASK)
        ]
        for index, a in enumerate(cards):
            for b in cards[index + 1 :]:
                assert not _overlap(a, b), (a, b)
        page.screenshot(path=str(screenshots / f"module-page-{viewport['width']}.png"))
        graph.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"module-lineage-{viewport['width']}.png"))
    page.set_viewport_size(VIEWPORTS[0])

    # Back along the lineage: the category module's page, with its teacher's metric named as such.
    graph.get_by_text(CATEGORY, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CATEGORY)
    expect(page.get_by_label(re.compile(r"^teacher error \d"))).to_be_visible()
    # Catalog cards link to the page.
    page.get_by_role("link", name="Catalog", exact=True).click()
    page.get_by_role("link", name=f"Open {TASK}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TASK)


def test_a_token_made_on_the_settings_page_signs_in_a_script_until_revoked(
    page: Page, app_server: str, screenshots: Path
) -> None:
    _log_in_as_demo(page)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name", exact=True).fill("e2e script")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_test_id("new-token").inner_text().strip()
    assert token.startswith("tst_")
    row = page.get_by_role("table", name="Your tokens").get_by_role("row", name=re.compile("e2e script"))
    expect(row).to_contain_text(token[:8])
    for viewport in VIEWPORTS:
        page.set_viewport_size(viewport)
        page.screenshot(path=str(screenshots / f"tokens-{viewport['width']}.png"))

    status, body = _api(f"{app_server}/api/auth/me/", f"Token {token}")
    assert status == 200 and body["user"]["username"] == "demo"
    status, body = _api(f"{app_server}/api/graphs/", f"Bearer {token}", "POST", {"name": "from curl"})
    assert status == 201 and body["name"] == "from curl"

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke e2e script").click()
    expect(row).to_have_count(0)
    status, body = _api(f"{app_server}/api/auth/me/", f"Token {token}")
    assert status == 401 and "revoked" in body["error"]["message"]
