"""Build the demo catalog's weights (committed under demo_catalog/, so a first start trains nothing).

    python scripts/build_demo_catalog.py            # about 5 minutes on two cores

It is built the way real catalogs are: one broad backbone (a ten-way Animal-MNIST classifier, the
stand-in for ImageNet), then a teacher per mammal fine-tuned from it, gently, for classification and
segmentation at once (one category module under both task modules). Every file is safetensors written by
the engine; the seeds are fixed, so the same machine rebuilds the same modules.
"""

from __future__ import annotations

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
FINE_TUNE = dict(architecture="vgg-mini", seed=0, epochs=4, learning_rate=3e-4, device="cpu",
                 evaluate_each_epoch=False)


def main() -> None:
    torch.set_num_threads(2)
    engine.keep_freed_memory()
    started = time.perf_counter()
    shutil.rmtree(OUT, ignore_errors=True)
    backbone = engine.train_backbone(BACKBONE)
    engine.save_module(backbone.category, OUT / "backbone" / "category")
    engine.save_module(backbone.classifier, OUT / "backbone" / "classification")
    print(f"backbone: {backbone.classifier.manifest.metrics} ({time.perf_counter() - started:.0f}s)", flush=True)
    summary = {"backbone": backbone.classifier.manifest.metrics}
    for category in MAMMALS:
        config = engine.TeacherConfig(category=category, tasks=(engine.Task.CLASSIFICATION, engine.Task.SEGMENTATION),
                                      **FINE_TUNE)
        result = engine.train_teacher(config, start_from=backbone.modules)
        engine.save_module(result.category, OUT / category / "category")
        for task, module in result.tasks.items():
            engine.save_module(module, OUT / category / str(task))
        summary[category] = {str(task): metrics for task, metrics in result.metrics.items()}
        print(f"{category}: {summary[category]} ({time.perf_counter() - started:.0f}s)", flush=True)
    (OUT / "metrics.json").write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
