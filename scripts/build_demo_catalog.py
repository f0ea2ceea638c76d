"""Build the demo catalog's weights (committed under demo_catalog/, so a first start trains nothing).

    python scripts/build_demo_catalog.py            # about 10 minutes on one core
    python scripts/build_demo_catalog.py --resume   # keep the modules already built

It is built the way real catalogs are: one broad backbone (a ten-way Animal-MNIST classifier, the
stand-in for ImageNet), then a teacher per mammal fine-tuned from it, gently, for classification and
segmentation at once (one category module under both task modules). Every file is safetensors written by
the engine; the seeds are fixed, so the same machine rebuilds the same modules.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import torch

import engine

OUT = Path(__file__).resolve().parents[1] / "demo_catalog"
MAMMALS = ("cat", "cow", "dog", "horse", "sheep")
BACKBONE = engine.BackboneConfig(seed=0, epochs=12, device="cpu")
# Gentle fine-tuning, as VOC nets were from ImageNet: a lower learning rate and a few epochs.
FINE_TUNE = dict(
    architecture="vgg-mini", seed=0, epochs=4, learning_rate=3e-4, device="cpu", evaluate_each_epoch=False
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resume", action="store_true", help="keep the backbone and teachers already built")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread: on a shared 2-core machine two spin against each other
    engine.keep_freed_memory()
    started = time.perf_counter()
    if not args.resume:
        shutil.rmtree(OUT, ignore_errors=True)
    if (OUT / "backbone" / "classification" / "manifest.json").is_file():
        backbone = engine.Backbone(
            engine.load_module(OUT / "backbone" / "category"),
            engine.load_module(OUT / "backbone" / "classification"),
        )
    else:
        backbone = engine.train_backbone(BACKBONE)
        engine.save_module(backbone.category, OUT / "backbone" / "category")
        engine.save_module(backbone.classifier, OUT / "backbone" / "classification")
    print(
        f"backbone: {backbone.classifier.manifest.metrics} ({time.perf_counter() - started:.0f}s)", flush=True
    )
    summary = {"backbone": backbone.classifier.manifest.metrics}
    for category in MAMMALS:
        folder = OUT / category
        if (folder / "segmentation" / "manifest.json").is_file():
            summary[category] = {
                task: engine.read_manifest(folder / task).metrics
                for task in ("classification", "segmentation")
            }
            continue
        config = engine.TeacherConfig(
            category=category, tasks=(engine.Task.CLASSIFICATION, engine.Task.SEGMENTATION), **FINE_TUNE
        )
        result = engine.train_teacher(config, start_from=backbone.modules)
        engine.save_module(result.category, folder / "category")
        engine.save_module(result.tasks[engine.Task.CLASSIFICATION], folder / "classification")
        engine.save_module(
            result.tasks[engine.Task.SEGMENTATION], folder / "segmentation"
        )  # last: marks it done
        summary[category] = {str(task): metrics for task, metrics in result.metrics.items()}
        print(f"{category}: {summary[category]} ({time.perf_counter() - started:.0f}s)", flush=True)
    (OUT / "metrics.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
