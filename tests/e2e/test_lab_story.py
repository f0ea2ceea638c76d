"""A lab's story in the browser: its own images become a dataset, a teacher, and a graft onto the
dog's classifier with ten of its labelled samples, tried on a test image of its own.

Runs on one signed-in page in order, like test_editor: each step needs what the last one made.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from test_editor import canvas, drag_module, draw_connection, free_the_worker, log_in

from engine.data.animal_mnist import category_index, load_animal_mnist

NEW_CLASS = "forklift"
CATEGORY = f"{NEW_CLASS}-vgg-mini-category"
TASK = "dog-vgg-mini-classification"
TEACHER_TIMEOUT_MS = 420_000
TRAINING_TIMEOUT_S = 420


def lab_zip(path: Path, per_class: int = 40) -> Path:
    """forklift/ (cat images) and pallet/ (bird images) as PNGs, the way a lab would zip them."""
    images, labels = load_animal_mnist()
    with zipfile.ZipFile(path, "w") as archive:
        for number, (name, animal) in enumerate(((NEW_CLASS, "cat"), ("pallet", "bird"))):
            chosen = images[np.flatnonzero(labels == category_index(animal))[:per_class]]
            for i, pixels in enumerate(chosen):
                pixels = pixels.copy()
                pixels[0, :2] = (i + 1, number + 1)  # unique files
                buffer = io.BytesIO()
                Image.fromarray(pixels).save(buffer, format="PNG")
                archive.writestr(f"lab-images/{name}/{name}-{i:03d}.png", buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def lab(new_context: Callable[[], BrowserContext]) -> Iterator[Page]:
    context = new_context()
    page = context.new_page()
    log_in(page)
    free_the_worker(page)
    yield page
    context.close()


def test_1_a_lab_uploads_a_dataset_of_a_new_class(lab: Page, tmp_path_factory, screenshots: Path) -> None:
    archive = lab_zip(tmp_path_factory.mktemp("lab") / "forklifts.zip")
    lab.goto("/catalog?tab=datasets")
    lab.get_by_role("button", name="Upload dataset").click()
    lab.get_by_label("Dataset zip").set_input_files(str(archive))
    expect(lab.get_by_role("status").filter(has_text="Added “forklifts”")).to_be_visible(timeout=60_000)
    card = lab.get_by_role("listitem", name="dataset forklifts")
    expect(card).to_be_visible()
    expect(card.get_by_role("list", name="Images per class")).to_contain_text(NEW_CLASS)
    expect(card.get_by_role("list", name="Images of forklifts").get_by_role("img")).to_have_count(16)
    lab.screenshot(path=str(screenshots / "datasets-tab.png"))


def test_2_it_trains_a_teacher_from_the_dataset(lab: Page) -> None:
    lab.goto("/")
    lab.get_by_role("button", name="New graph").click()
    lab.get_by_label("New graph name").fill(f"lab story {time.strftime('%H:%M:%S')}")
    lab.get_by_role("button", name="Create graph").click()
    expect(lab.get_by_text("An empty graph")).to_be_visible()
    lab.reload()  # start from the new graph's own URL, with nothing of the earlier pages left running
    expect(lab.get_by_text("An empty graph")).to_be_visible()
    lab.get_by_role("button", name="Train teacher…").click()
    dialog = lab.get_by_role("dialog", name="Train a teacher")
    dialog.get_by_label("Dataset").select_option(index=1)
    dialog.get_by_label("Category").select_option(NEW_CLASS)
    dialog.get_by_label("Epochs").fill("3")
    dialog.get_by_role("button", name="Train teacher").click()
    expect(dialog.get_by_text(re.compile(r"Done: test error"))).to_be_visible(timeout=TEACHER_TIMEOUT_MS)
    dialog.get_by_role("button", name="Close").click()
    expect(lab.get_by_role("listitem", name=f"category module {CATEGORY}")).to_be_visible()


def test_3_it_grafts_the_new_category_onto_the_dogs_classifier_with_ten_samples(lab: Page) -> None:
    drag_module(lab, "category", CATEGORY, 200, 200)
    drag_module(lab, "task", TASK, 560, 260)
    draw_connection(
        lab,
        lab.get_by_label(f"Output features of {CATEGORY}", exact=False),
        lab.get_by_label(f"Input features of {TASK}", exact=False),
    )
    dialog = lab.get_by_role("dialog", name="Train a new adapter")
    dialog.get_by_label("Data").select_option(index=1)
    expect(dialog.get_by_text(re.compile(r"forklifts holds 64 labelled training samples"))).to_be_visible()
    samples = dialog.get_by_label("Labelled samples")
    # Wait for the server's default for this pair (another net: 10) before typing: filling the field
    # while it lands appends to it ("1010") instead of replacing it.
    expect(samples).to_have_value("10")
    samples.fill("10")
    expect(samples).to_have_value("10")
    dialog.get_by_label("Training steps").fill("60")
    dialog.get_by_role("button", name="Start training").click()
    expect(dialog).to_have_count(0)
    edge = lab.get_by_role("button", name=re.compile(rf"^Edge {CATEGORY} to {TASK}"))
    expect(edge).to_be_visible()
    seen = set()
    deadline = time.monotonic() + TRAINING_TIMEOUT_S
    while (status := edge.get_attribute("data-status")) != "succeeded":
        assert status not in {"failed", "cancelled"}, f"the edge's job ended {status}"
        assert time.monotonic() < deadline, "the edge did not finish training in time"
        seen.add(status)
        lab.wait_for_timeout(250)
    assert seen & {"queued", "running"}, "the edge was never seen training"
    expect(canvas(lab)).to_be_visible()


def test_4_it_tries_the_graft_on_a_test_image_from_the_gallery(lab: Page, screenshots: Path) -> None:
    lab.get_by_role("button", name=re.compile(rf"^Edge {CATEGORY} to {TASK}")).click()
    panel = lab.get_by_role("complementary", name="Edge details")
    panel.get_by_role("tab", name="Try it").click()
    panel.get_by_text("Test images").click()
    gallery = panel.get_by_role("list", name="Test images of the dataset")
    expect(gallery.get_by_role("button")).to_have_count(16)
    gallery.get_by_role("button").first.click()
    expect(panel.get_by_role("status", name="Prediction")).to_contain_text("Class probability")
    expect(panel.get_by_text(re.compile(rf"True label: ({NEW_CLASS}|other)"))).to_be_visible()
    lab.screenshot(path=str(screenshots / "try-it-gallery.png"))
