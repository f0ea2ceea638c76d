"""The `transplant` command line: one JSON object on stdout with --json, clear errors otherwise."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import engine
from engine.cli import main


def run_cli(capsys, *args: str) -> tuple[int, dict]:
    status = main([*args, "--json"])
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"--json must print exactly one line, got {out!r}"
    return status, json.loads(out)


@pytest.fixture(scope="module")
def teacher_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("teacher")
    assert (
        main(
            [
                "teacher",
                "--arch",
                "vgg-mini",
                "--category",
                "cat",
                "--task",
                "classification",
                "--seed",
                "3",
                "--epochs",
                "1",
                "--limit-train",
                "128",
                "--out",
                str(folder),
                "--json",
            ]
        )
        == 0
    )
    return folder


def test_teacher_writes_its_modules_and_reports_the_error(teacher_folder):
    assert (teacher_folder / "category" / "weights.safetensors").is_file()
    assert (teacher_folder / "classification" / "manifest.json").is_file()


def test_graft_then_evaluate_and_predict_through_the_new_path(teacher_folder, tmp_path, capsys):
    status, graft = run_cli(
        capsys,
        "graft",
        "--category-module",
        str(teacher_folder / "category"),
        "--task-module",
        str(teacher_folder / "classification"),
        "--teacher-task-module",
        str(teacher_folder / "classification"),
        "--method",
        "back-distill",
        "--samples",
        "0",
        "--adapter-layers",
        "1",
        "--seed",
        "1",
        "--steps",
        "3",
        "--out",
        str(tmp_path / "adapter"),
    )
    assert status == 0 and graft["adapter"] == str(tmp_path / "adapter")
    assert 0 <= graft["metrics"]["error"] <= 100

    path = [
        "--category-module",
        str(teacher_folder / "category"),
        "--task-module",
        str(teacher_folder / "classification"),
        "--adapter",
        str(tmp_path / "adapter"),
    ]
    status, evaluation = run_cli(capsys, "evaluate", *path)
    assert status == 0 and evaluation["metrics"]["error"] == pytest.approx(graft["metrics"]["error"])

    image = tmp_path / "drawing.png"
    canvas = np.full((100, 100), 255, np.uint8)
    canvas[30:70, 20:80] = 0  # dark ink on white paper
    Image.fromarray(canvas).save(image)
    status, prediction = run_cli(capsys, "predict", *path, str(image))
    assert status == 0 and prediction["task"] == "classification"
    assert 0.0 <= prediction["predictions"][0]["probability"] <= 1.0


def test_a_missing_module_is_an_error_in_json_with_exit_status_2(tmp_path, capsys):
    status, body = run_cli(capsys, "inspect", str(tmp_path / "nothing"))
    assert status == 2 and "a module folder holds manifest.json" in body["error"]


def test_zero_samples_with_a_baseline_is_refused(teacher_folder, tmp_path, capsys):
    status, body = run_cli(
        capsys,
        "graft",
        "--category-module",
        str(teacher_folder / "category"),
        "--task-module",
        str(teacher_folder / "classification"),
        "--teacher-task-module",
        str(teacher_folder / "classification"),
        "--method",
        "direct-learn",
        "--samples",
        "0",
        "--out",
        str(tmp_path / "adapter"),
    )
    assert status == 2 and "needs labelled samples" in body["error"]
    assert not (tmp_path / "adapter").exists()


def test_python_dash_m_engine_is_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "engine", "architectures", "--json"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"architectures": ["fcn8s", "vgg-mini", "vgg16"]}


def test_inspect_validates_and_shows_the_manifest(teacher_folder, capsys):
    status, body = run_cli(capsys, "inspect", str(teacher_folder / "category"))
    assert status == 0 and body["valid"] and body["manifest"]["kind"] == "category"


def test_a_teacher_can_start_from_saved_modules_and_names_them_as_parents(teacher_folder, tmp_path, capsys):
    status, body = run_cli(
        capsys,
        "teacher",
        "--category",
        "dog",
        "--epochs",
        "1",
        "--limit-train",
        "64",
        "--out",
        str(tmp_path / "dog"),
        "--start-from",
        str(teacher_folder / "category"),
        str(teacher_folder / "classification"),
    )
    assert status == 0, body
    started = json.loads((tmp_path / "dog" / "category" / "manifest.json").read_text())
    source = json.loads((teacher_folder / "category" / "manifest.json").read_text())
    assert started["parents"] == [
        {"role": "fine_tuned_from", "sha256": source["sha256"], "name": source["name"]}
    ]


def test_starting_from_a_task_module_the_teacher_does_not_train_is_refused(teacher_folder, tmp_path, capsys):
    segmenter = tmp_path / "seg"
    assert (
        main(
            [
                "teacher",
                "--category",
                "cat",
                "--task",
                "segmentation",
                "--epochs",
                "1",
                "--limit-train",
                "16",
                "--out",
                str(segmenter),
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    status, body = run_cli(
        capsys,
        "teacher",
        "--category",
        "dog",
        "--task",
        "classification",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "d"),
        "--start-from",
        str(segmenter / "segmentation"),
    )
    assert status == 2 and "which the teacher does not train" in body["error"]
    assert not (tmp_path / "d").exists()


def test_a_zero_sample_back_distill_graft_onto_another_nets_task_module_gets_a_note_on_stderr(
    teacher_folder, tmp_path, capsys
):
    assert (
        main(
            [
                "teacher",
                "--category",
                "dog",
                "--epochs",
                "1",
                "--limit-train",
                "64",
                "--seed",
                "4",
                "--out",
                str(tmp_path / "dog"),
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    graft = [
        "graft",
        "--category-module",
        str(teacher_folder / "category"),
        "--teacher-task-module",
        str(teacher_folder / "classification"),
        "--method",
        "back-distill",
        "--steps",
        "2",
        "--json",
    ]
    for task_module, noted in (
        (tmp_path / "dog" / "classification", True),
        (teacher_folder / "classification", False),
    ):
        status = main(
            [*graft, "--task-module", str(task_module), "--out", str(tmp_path / f"adapter-{noted}")]
        )
        captured = capsys.readouterr()
        assert status == 0 and json.loads(captured.out)["metrics"]["error"] >= 0
        assert ("usually ends near chance" in captured.err) is noted, captured.err


def test_a_backbone_starts_teachers_and_auto_says_what_it_chose(tmp_path, capsys):
    status, body = run_cli(capsys, "backbone", "--epochs", "1", "--out", str(tmp_path / "bb"))
    assert status == 0 and 0 <= body["metrics"]["error"] <= 100
    for category in ("cat", "dog"):
        status, _ = run_cli(
            capsys,
            "teacher",
            "--category",
            category,
            "--epochs",
            "1",
            "--limit-train",
            "64",
            "--learning-rate",
            "3e-4",
            "--out",
            str(tmp_path / category),
            "--start-from",
            str(tmp_path / "bb" / "category"),
            str(tmp_path / "bb" / "classification"),
        )
        assert status == 0
    graft = [
        "graft",
        "--category-module",
        str(tmp_path / "cat" / "category"),
        "--task-module",
        str(tmp_path / "dog" / "classification"),
        "--teacher-task-module",
        str(tmp_path / "cat" / "classification"),
        "--student-category-module",
        str(tmp_path / "dog" / "category"),
        "--samples",
        "10",
        "--steps",
        "3",
        "--out",
        str(tmp_path / "adapter"),
        "--json",
    ]
    assert main(graft) == 0
    captured = capsys.readouterr()
    body = json.loads(captured.out)
    assert "auto chose" in captured.err and body["choice"] in captured.err
    assert body["stopped"] == "steps" and body["steps_run"] == 3


def manifest_of(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_teacher_graft_and_evaluate_on_a_folder_of_a_new_category(tmp_path, capsys):
    from folder_trees import write_class_folders

    forklifts = write_class_folders(
        tmp_path / "forklifts", {"forklift": ("cat", 40), "pallet": ("cow", 20), "person": ("sheep", 20)}
    )
    status, teacher = run_cli(
        capsys,
        "teacher",
        "--arch",
        "vgg-mini",
        "--data",
        str(forklifts),
        "--category",
        "forklift",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "m"),
    )
    assert status == 0, teacher
    category = manifest_of(tmp_path / "m" / "category")
    digest = engine.folder_sha256(forklifts, "classification")
    assert category["category"] == "forklift"
    assert {"role": "data", "sha256": digest, "name": "forklifts"} in category["parents"]
    assert 0 <= teacher["metrics"]["error"] <= 100

    assert (
        main(
            [
                "teacher",
                "--category",
                "dog",
                "--epochs",
                "1",
                "--limit-train",
                "64",
                "--out",
                str(tmp_path / "dog"),
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    status, grafted = run_cli(
        capsys,
        "graft",
        "--category-module",
        str(tmp_path / "m" / "category"),
        "--task-module",
        str(tmp_path / "dog" / "classification"),
        "--teacher-task-module",
        str(tmp_path / "m" / "classification"),
        "--samples",
        "10",
        "--steps",
        "3",
        "--data",
        str(forklifts),
        "--out",
        str(tmp_path / "adapter"),
    )
    assert status == 0, grafted
    assert {"role": "data", "sha256": digest, "name": "forklifts"} in manifest_of(tmp_path / "adapter")[
        "parents"
    ]
    path = [
        "--category-module",
        str(tmp_path / "m" / "category"),
        "--task-module",
        str(tmp_path / "dog" / "classification"),
        "--adapter",
        str(tmp_path / "adapter"),
    ]
    status, evaluation = run_cli(capsys, "evaluate", *path, "--data", str(forklifts))
    assert status == 0 and evaluation["metrics"]["error"] == pytest.approx(grafted["metrics"]["error"])
    # the forklift test split holds 8 + 8 images: the error is a multiple of 1/16
    assert (evaluation["metrics"]["error"] / 6.25) == pytest.approx(
        round(evaluation["metrics"]["error"] / 6.25)
    )


def test_a_category_outside_animal_mnist_without_data_says_to_give_data(tmp_path, capsys):
    status, body = run_cli(
        capsys, "teacher", "--category", "forklift", "--epochs", "1", "--out", str(tmp_path / "m")
    )
    assert status == 2 and "give --data DIR" in body["error"]
    assert not (tmp_path / "m").exists()


def test_a_bad_data_folder_is_an_error_naming_the_file(tmp_path, capsys):
    from folder_trees import write_class_folders

    root = write_class_folders(tmp_path / "d", {"forklift": ("cat", 6), "other": ("dog", 6)})
    (root / "other" / "notes.txt").write_text("x")
    status, body = run_cli(
        capsys,
        "teacher",
        "--data",
        str(root),
        "--category",
        "forklift",
        "--epochs",
        "1",
        "--out",
        str(tmp_path / "m"),
    )
    assert status == 2 and "notes.txt" in body["error"] and not (tmp_path / "m").exists()
    status, body = run_cli(
        capsys,
        "teacher",
        "--data",
        str(root),
        "--category",
        "forklift",
        "--task",
        "classification",
        "--task",
        "segmentation",
        "--out",
        str(tmp_path / "m"),
    )
    assert status == 2 and "exactly one --task" in body["error"]
