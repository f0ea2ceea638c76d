"""The `transplant` command: train teachers, graft, evaluate, predict, import and inspect modules.

`--json` prints exactly one JSON object on stdout (progress goes to stderr). Errors print a message
saying what is wrong and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path as FilePath
from typing import Any

import torch

from engine.allocator import keep_freed_memory
from engine.architectures import list_architectures
from engine.compatibility import is_own_task_module
from engine.config import AdapterInit, AdapterStart, GraftConfig, Method, Solver, Task, TeacherConfig
from engine.data import (
    CATEGORIES,
    DataOrigin,
    TaskData,
    folder_sha256,
    load_folder_data,
    load_task_data,
    native_input_shape,
    path_input_shape,
    with_data_origin,
)
from engine.data.folder import DEFAULT_TEST_FRACTION, data_root
from engine.errors import TransplantError
from engine.evaluation import evaluate
from engine.importers import IMPORTABLE, import_torchvision
from engine.inference import image_from_bytes, native_size, predict
from engine.progress import ProgressBar
from engine.storage import load_module, read_manifest, save_module
from engine.student import Path, task_logits
from engine.training.backbone import BackboneConfig, train_backbone
from engine.training.graft import graft
from engine.training.teacher import train_teacher


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="transplant", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    teacher = commands.add_parser("teacher", help="train a teacher net (category module + task modules)")
    teacher.add_argument(
        "--arch", default="vgg-mini", help=f"architecture: {', '.join(list_architectures())}"
    )
    teacher.add_argument(
        "--category",
        required=True,
        help=f"one of {', '.join(CATEGORIES)}; with --data, the class folder of the positives",
    )
    teacher.add_argument(
        "--task", action="append", choices=[str(t) for t in Task], help="repeat for a multi-task teacher"
    )
    teacher.add_argument("--epochs", type=int, default=TeacherConfig.epochs)
    teacher.add_argument("--limit-train", type=int, default=None, help="use only this many training samples")
    teacher.add_argument(
        "--start-from",
        nargs="+",
        type=FilePath,
        default=[],
        metavar="MODULE",
        help="fine-tune from these module folders (a category module and task modules) "
        "instead of random weights",
    )
    teacher.add_argument(
        "--learning-rate",
        type=float,
        default=TeacherConfig.learning_rate,
        help="Adam's step size (fine-tune gently from a backbone: 3e-4)",
    )
    teacher.add_argument("--out", required=True, type=FilePath, help="folder for the modules")

    backbone = commands.add_parser(
        "backbone", help="train a ten-way Animal-MNIST backbone that teachers fine-tune from"
    )
    backbone.add_argument(
        "--arch", default="vgg-mini", help=f"architecture: {', '.join(list_architectures())}"
    )
    backbone.add_argument("--epochs", type=int, default=BackboneConfig.epochs)
    backbone.add_argument(
        "--out", required=True, type=FilePath, help="folder for its category and classification modules"
    )

    graft_cmd = commands.add_parser(
        "graft", help="learn an adapter joining a category module to a task module"
    )
    graft_cmd.add_argument("--category-module", required=True, type=FilePath)
    graft_cmd.add_argument("--task-module", required=True, type=FilePath)
    graft_cmd.add_argument(
        "--teacher-task-module",
        required=True,
        type=FilePath,
        help="the task module of the teacher the category module came from",
    )
    graft_cmd.add_argument(
        "--method",
        default=str(Method.AUTO),
        choices=[str(m) for m in Method],
        help="auto (default) picks what the study measured best for the edge and says why",
    )
    graft_cmd.add_argument("--samples", type=int, default=0, help="labelled samples (0: none)")
    graft_cmd.add_argument(
        "--unlabelled",
        type=int,
        default=0,
        help="distill: training images, labels unread, that the teacher labels (auto picks this itself)",
    )
    graft_cmd.add_argument("--adapter-layers", type=int, default=1, choices=(1, 3))
    graft_cmd.add_argument("--kernel-size", type=int, default=3, choices=(1, 3))
    graft_cmd.add_argument("--steps", type=int, default=GraftConfig.steps)
    graft_cmd.add_argument("--learning-rate", type=float, default=GraftConfig.learning_rate)
    graft_cmd.add_argument(
        "--solver",
        default=str(Solver.AUTO),
        choices=[str(s) for s in Solver],
        help="auto: exact least squares where the problem is linear (zero samples, one conv), else Adam",
    )
    graft_cmd.add_argument(
        "--start",
        default=str(AdapterStart.INIT),
        choices=[str(s) for s in AdapterStart],
        help="where learning starts: the initialisation, a stitching fit, or the zero-sample solution",
    )
    graft_cmd.add_argument(
        "--student-category-module",
        type=FilePath,
        help="the task module's own net's category module (stitching needs it)",
    )
    graft_cmd.add_argument(
        "--converge",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="stop Adam when the loss stops falling (default: on without labels, off with them)",
    )
    graft_cmd.add_argument(
        "--tolerance",
        type=float,
        default=GraftConfig.tolerance,
        help="relative fall of the windowed mean loss below which it has converged",
    )
    graft_cmd.add_argument(
        "--window", type=int, default=GraftConfig.window, help="steps per window of the rule"
    )
    graft_cmd.add_argument(
        "--max-seconds", type=float, default=GraftConfig.max_seconds, help="time cap of the fit"
    )
    graft_cmd.add_argument("--no-reorder", action="store_true", help="leave out the reorder layer")
    graft_cmd.add_argument(
        "--adapter-init",
        default=str(AdapterInit.IDENTITY),
        choices=[str(i) for i in AdapterInit],
        help="how the adapter's convolutions start (default: identity)",
    )
    graft_cmd.add_argument("--out", required=True, type=FilePath, help="folder for the adapter module")

    evaluate_cmd = commands.add_parser(
        "evaluate", help="measure a path on a test split (Animal-MNIST's, or --data's)"
    )
    _path_arguments(evaluate_cmd)
    evaluate_cmd.add_argument("--category", help="data set category (default: the category module's)")
    graft_cmd.add_argument(
        "--category", help="with --data: the class folder of the positives (default: the category module's)"
    )

    predict_cmd = commands.add_parser("predict", help="run images through a path")
    _path_arguments(predict_cmd)
    predict_cmd.add_argument("images", nargs="+", type=FilePath, help="PNG or JPEG files")

    import_cmd = commands.add_parser(
        "import", help="split a VGG-16 or FCN-8s state_dict (safetensors) into our modules"
    )
    import_cmd.add_argument("--arch", required=True, choices=sorted(IMPORTABLE))
    import_cmd.add_argument(
        "--weights",
        required=True,
        type=FilePath,
        help="a state_dict saved with safetensors.torch.save_file, torchvision's key names",
    )
    import_cmd.add_argument("--category", required=True, help="the category module's category (any name)")
    import_cmd.add_argument(
        "--positive-index",
        type=int,
        default=None,
        help="the category's output (vgg16) or class (fcn8s) when the head has more than 2",
    )
    import_cmd.add_argument("--license", default="unspecified", help="recorded in the manifests")
    import_cmd.add_argument("--out", required=True, type=FilePath, help="folder for the modules")

    inspect = commands.add_parser("inspect", help="validate a module folder and show its manifest")
    inspect.add_argument("module", type=FilePath)

    commands.add_parser("architectures", help="list the registered architectures")
    for command in commands.choices.values():
        command.add_argument("--json", action="store_true", help="print one JSON object on stdout")
        if command.prog.split()[-1] in ("teacher", "backbone", "graft", "evaluate", "predict"):
            command.add_argument("--seed", type=int, default=0, help="initialisation and sampling")
            command.add_argument(
                "--data-seed", type=int, default=0, help="the train/test split (keep it fixed)"
            )
            command.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
        if command.prog.split()[-1] in ("teacher", "graft", "evaluate"):
            _data_arguments(command)
    return parser


def _data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=FilePath,
        metavar="DIR",
        help="a folder of your own images instead of Animal-MNIST: one sub-folder per class "
        "(classification; --category names the positives) or images/ with masks/ (segmentation)",
    )
    parser.add_argument(
        "--test-fraction",
        type=float,
        default=DEFAULT_TEST_FRACTION,
        help="with --data: the share of each side held out for testing",
    )


def _path_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--category-module", required=True, type=FilePath)
    parser.add_argument("--task-module", required=True, type=FilePath)
    parser.add_argument(
        "--adapter", type=FilePath, help="adapter module between them (none: a teacher's own path)"
    )


def _folder_data(
    args: argparse.Namespace,
    category: str,
    task: Task,
    input_shape: tuple[int, int, int],
    limit_train: int | None = None,
) -> tuple[TaskData, DataOrigin]:
    """`--data`'s task data for `category`, and its origin for the manifests' lineage."""
    data = load_folder_data(
        args.data,
        category,
        task,
        seed=args.data_seed,
        input_shape=input_shape,
        test_fraction=args.test_fraction,
        limit_train=limit_train,
    )
    return data, DataOrigin(data_root(args.data).resolve().name, folder_sha256(args.data, task))


def _require_builtin(category: str) -> None:
    """Without --data the data is Animal-MNIST's; say how to bring one's own for another category."""
    if category not in CATEGORIES:
        raise ValueError(
            f"{category!r} is not an Animal-MNIST category ({', '.join(CATEGORIES)}); "
            f"for your own images of it, give --data DIR (one sub-folder per class)"
        )


def run_teacher(args: argparse.Namespace) -> dict[str, Any]:
    tasks = tuple(args.task or [Task.CLASSIFICATION])
    config = TeacherConfig(
        category=args.category,
        tasks=tasks,
        architecture=args.arch,
        seed=args.seed,
        data_seed=args.data_seed,
        epochs=args.epochs,
        limit_train=args.limit_train,
        device=args.device,
        learning_rate=args.learning_rate,
    )
    data, origin = None, None
    if args.data is not None:
        if len(config.tasks) != 1:
            raise ValueError("a --data folder holds one task's layout; give exactly one --task with --data")
        task = config.tasks[0]
        folder_data, origin = _folder_data(
            args, args.category, task, native_input_shape(args.arch, task), args.limit_train
        )
        data = {task: folder_data}
    else:
        _require_builtin(args.category)
    start_from = tuple(load_module(folder) for folder in args.start_from)
    result = train_teacher(
        config, data=data, start_from=start_from, on_event=ProgressBar(f"teacher {args.category}")
    )
    recorded = (lambda module: with_data_origin(module, origin)) if origin else (lambda module: module)
    modules = {"category": str(save_module(recorded(result.category), args.out / "category"))}
    for task, module in result.tasks.items():
        modules[str(task)] = str(save_module(recorded(module), args.out / str(task)))
    metrics = {
        name: value for task_metrics in result.metrics.values() for name, value in task_metrics.items()
    }
    return {"modules": modules, "metrics": metrics}


def run_backbone(args: argparse.Namespace) -> dict[str, Any]:
    config = BackboneConfig(
        architecture=args.arch,
        seed=args.seed,
        data_seed=args.data_seed,
        epochs=args.epochs,
        device=args.device,
    )
    result = train_backbone(config, on_event=ProgressBar("backbone"))
    modules = {
        "category": str(save_module(result.category, args.out / "category")),
        "classification": str(save_module(result.classifier, args.out / "classification")),
    }
    return {"modules": modules, "metrics": result.classifier.manifest.metrics}


def run_graft(args: argparse.Namespace) -> dict[str, Any]:
    config = GraftConfig(
        method=args.method,
        samples=args.samples,
        unlabelled=args.unlabelled,
        adapter_layers=args.adapter_layers,
        kernel_size=args.kernel_size,
        steps=args.steps,
        seed=args.seed,
        data_seed=args.data_seed,
        learning_rate=args.learning_rate,
        solver=args.solver,
        reorder=not args.no_reorder,
        adapter_init=args.adapter_init,
        device=args.device,
        start=args.start,
        converge=args.converge,
        tolerance=args.tolerance,
        window=args.window,
        max_seconds=args.max_seconds,
    )
    category, task, teacher = (
        load_module(p) for p in (args.category_module, args.task_module, args.teacher_task_module)
    )
    student_category = load_module(args.student_category_module) if args.student_category_module else None
    if (
        config.method is Method.BACK_DISTILL
        and config.samples == 0
        and not is_own_task_module(task.manifest, teacher.manifest)
    ):
        # Allowed, since it is the paper's question, but it rarely gives a usable adapter: say so.
        print(
            "transplant graft: note: zero-sample back-distill onto another net's task module usually "
            "ends near chance (the paper shows it only into the category's own net); use --method auto, "
            "which has the teacher label the training images, or give --samples 10 or more",
            file=sys.stderr,
        )
    data, origin = None, None
    if args.data is not None:
        data, origin = _folder_data(
            args,
            args.category or category.manifest.category,
            task.manifest.task,
            path_input_shape(category.manifest, task.manifest),
        )
    else:
        _require_builtin(category.manifest.category)
    result = graft(
        config,
        category=category,
        task=task,
        teacher_task=teacher,
        data=data,
        student_category=student_category,
        on_event=ProgressBar(f"graft {args.method}"),
    )
    if result.choice:
        print(f"transplant graft: auto chose {result.choice}", file=sys.stderr)
    adapter = with_data_origin(result.adapter, origin) if origin else result.adapter
    outcome = {"stopped": result.stopped, "steps_run": len(result.history)}
    return {
        "adapter": str(save_module(adapter, args.out)),
        "metrics": result.metrics,
        **outcome,
        **({"choice": result.choice} if result.choice else {}),
    }


def _load_path(args: argparse.Namespace):
    category, task = load_module(args.category_module), load_module(args.task_module)
    adapter = load_module(args.adapter) if args.adapter else None
    return category, task, adapter


def run_evaluate(args: argparse.Namespace) -> dict[str, Any]:
    category, task, adapter = _load_path(args)
    kind = task.manifest.task
    name = args.category or category.manifest.category
    if args.data is not None:
        data, _ = _folder_data(args, name, kind, path_input_shape(category.manifest, task.manifest))
    else:
        _require_builtin(name)
        data = load_task_data(name, kind, seed=args.data_seed)
    path = Path(category.network, task.network, adapter.network if adapter else None).eval()
    return {"metrics": evaluate(lambda images: task_logits(kind, path(images)), data.test, kind)}


def run_predict(args: argparse.Namespace) -> dict[str, Any]:
    category, task, adapter = _load_path(args)
    size, channels = native_size(task), category.manifest.input_shape[0]
    results = []
    for image_path in args.images:
        try:
            data = image_path.read_bytes()
        except OSError as error:
            raise TransplantError(f"cannot read {image_path}: {error.strerror}") from None
        prediction = predict(category, task, image_from_bytes(data, channels=channels, size=size), adapter)
        if prediction.probability is not None:
            results.append(
                {"image": str(image_path), "probability": round(float(prediction.probability[0]), 6)}
            )
        else:
            mask = prediction.mask[0]
            results.append(
                {
                    "image": str(image_path),
                    "foreground_fraction": round(float(mask.float().mean()), 6),
                    "mask": mask.to(torch.uint8).tolist(),
                }
            )
    return {"task": str(task.manifest.task), "predictions": results}


def run_import(args: argparse.Namespace) -> dict[str, Any]:
    category, task = import_torchvision(
        args.weights,
        arch=args.arch,
        category=args.category,
        positive_index=args.positive_index,
        license=args.license,
    )
    return {
        "modules": {
            "category": str(save_module(category, args.out / "category")),
            str(task.manifest.task): str(save_module(task, args.out / str(task.manifest.task))),
        },
        "description": task.manifest.description,
    }


def run_inspect(args: argparse.Namespace) -> dict[str, Any]:
    manifest = read_manifest(args.module)
    load_module(args.module)  # validates the weights against the manifest
    return {"valid": True, "manifest": manifest.to_json()}


COMMANDS = {
    "teacher": run_teacher,
    "backbone": run_backbone,
    "graft": run_graft,
    "evaluate": run_evaluate,
    "predict": run_predict,
    "import": run_import,
    "inspect": run_inspect,
    "architectures": lambda args: {"architectures": list_architectures()},
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `transplant`; returns the exit status."""
    args = build_parser().parse_args(argv)
    keep_freed_memory()  # training steps reuse freed memory instead of faulting it in again
    try:
        result = COMMANDS[args.command](args)
    except (TransplantError, ValueError) as error:
        if args.json:
            print(json.dumps({"error": str(error)}))
        print(f"transplant {args.command}: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result))
    else:
        _print_human(result)
    return 0


def _print_human(result: dict[str, Any], indent: str = "") -> None:
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_human(value, indent + "  ")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            print(f"{indent}{key}:")
            for item in value:
                print(indent + "  - " + ", ".join(f"{k}={v}" for k, v in item.items() if k != "mask"))
        else:
            print(f"{indent}{key}: {value}")
