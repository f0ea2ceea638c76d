"""Pseudo-gradient maps, feature PCA and predictions for the web app's panels."""

import io

import numpy as np
import pytest
import torch
from PIL import Image

from engine import (
    GraftConfig,
    Task,
    TransplantError,
    feature_pca,
    graft,
    image_from_bytes,
    predict,
    pseudo_gradient_maps,
)


@pytest.fixture(scope="module")
def exact_adapter(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    return graft(
        GraftConfig(solver="least-squares", bank_size=256, device="cpu"),
        category=horse_teacher.category,
        task=task,
        teacher_task=task,
    ).adapter


def test_after_an_exact_graft_the_student_pseudo_gradient_matches_the_teachers(horse_teacher, exact_adapter):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    maps = pseudo_gradient_maps(horse_teacher.category, task, task, exact_adapter, seed=3)
    assert np.array(maps["teacher"]).shape == (14, 14) == np.array(maps["student"]).shape
    assert maps["cosine"] > 0.99


def test_feature_pca_projects_every_path_onto_one_shared_plane(horse_teacher, exact_adapter):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    images = torch.rand(12, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    points = feature_pca(
        horse_teacher.category, task, {"teacher": None, "back-distill": exact_adapter}, images
    )
    assert set(points) == {"teacher", "back-distill"}
    assert np.array(points["teacher"]).shape == (12, 2)


def test_predict_gives_probabilities_for_classification(horse_teacher, exact_adapter):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    prediction = predict(horse_teacher.category, task, torch.rand(3, 1, 50, 40), exact_adapter)
    assert prediction.task is Task.CLASSIFICATION and prediction.probability.shape == (3,)
    assert ((prediction.probability >= 0) & (prediction.probability <= 1)).all()


def test_predict_gives_a_mask_for_segmentation(segmentation_teacher):
    task = segmentation_teacher.tasks[Task.SEGMENTATION]
    prediction = predict(segmentation_teacher.category, task, torch.rand(2, 1, 64, 64))
    assert prediction.mask.shape == (2, 64, 64) and prediction.mask.dtype == torch.bool


def test_a_drawing_in_dark_ink_on_white_is_inverted_to_a_light_silhouette():
    canvas = np.full((56, 56), 255, np.uint8)
    canvas[20:36, 10:46] = 0
    buffer = io.BytesIO()
    Image.fromarray(canvas).save(buffer, format="PNG")
    image = image_from_bytes(buffer.getvalue(), size=(28, 28))
    assert image.shape == (1, 1, 28, 28)
    assert float(image[0, 0, 14, 14]) > 0.9 and float(image[0, 0, 0, 0]) < 0.1


def test_bytes_that_are_not_an_image_are_refused():
    with pytest.raises(TransplantError, match="not a readable PNG or JPEG"):
        image_from_bytes(b"\x80\x04definitely not a picture")


def test_images_with_the_wrong_channel_count_are_refused(horse_teacher):
    task = horse_teacher.tasks[Task.CLASSIFICATION]
    with pytest.raises(TransplantError, match="reads 1-channel images, got 3"):
        predict(horse_teacher.category, task, torch.rand(1, 3, 28, 28))
