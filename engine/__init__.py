"""Transplant Studio's engine: network transplanting by back-distillation, in pure PyTorch.

Only the names in `__all__` are public; see docs/engine-api.md.
"""

from engine.adapter import Adapter
from engine.allocator import keep_freed_memory
from engine.architectures import Architecture, get_architecture, list_architectures, register_architecture
from engine.auto import AutoChoice, auto_method
from engine.compatibility import check_connectable, check_teacher, is_own_task_module
from engine.config import (
    AdapterInit,
    AdapterStart,
    GradientSeed,
    GraftConfig,
    Method,
    ModuleKind,
    ReluSurrogate,
    Solver,
    Task,
    TeacherConfig,
)
from engine.data import (
    CATEGORIES,
    MAMMALS,
    DataOrigin,
    FolderSummary,
    TaskData,
    folder_sha256,
    labelled_subset,
    load_folder_data,
    load_task_data,
    native_input_shape,
    path_input_shape,
    scan_folder,
    train_split_size,
    with_data_origin,
)
from engine.errors import (
    Cancelled,
    DatasetError,
    IncompatibleModulesError,
    ModuleFileError,
    TrainingDiverged,
    TransplantError,
    UnknownArchitectureError,
)
from engine.evaluation import evaluate
from engine.events import Evaluated, Finished, ProgressEvent, Started, StepEvent, StopReason
from engine.importers import import_torchvision
from engine.inference import Prediction, image_from_bytes, native_size, predict
from engine.insight import feature_pca, pseudo_gradient_maps
from engine.manifest import Manifest
from engine.storage import StoredModule, load_module, read_manifest, save_module, validate_weights_file
from engine.training.backbone import Backbone, BackboneConfig, train_backbone
from engine.training.fine_tune import CategoryPath, FineTuneConfig, fine_tune_task
from engine.training.graft import GraftResult, GraftSession, graft, graft_session
from engine.training.teacher import TeacherResult, train_teacher
from engine.transplant_net import TransplantNet
from engine.version import __version__

__all__ = [
    "Adapter",
    "AdapterInit",
    "AdapterStart",
    "AutoChoice",
    "Backbone",
    "BackboneConfig",
    "Solver",
    "StopReason",
    "auto_method",
    "train_backbone",
    "Architecture",
    "CATEGORIES",
    "Cancelled",
    "DatasetError",
    "Evaluated",
    "Finished",
    "GradientSeed",
    "GraftConfig",
    "GraftResult",
    "GraftSession",
    "IncompatibleModulesError",
    "MAMMALS",
    "Manifest",
    "Method",
    "ModuleFileError",
    "ModuleKind",
    "ProgressEvent",
    "ReluSurrogate",
    "Started",
    "StepEvent",
    "StoredModule",
    "Task",
    "TaskData",
    "TeacherConfig",
    "TeacherResult",
    "TrainingDiverged",
    "TransplantError",
    "UnknownArchitectureError",
    "__version__",
    "Prediction",
    "TransplantNet",
    "image_from_bytes",
    "native_size",
    "predict",
    "feature_pca",
    "pseudo_gradient_maps",
    "CategoryPath",
    "FineTuneConfig",
    "fine_tune_task",
    "check_connectable",
    "check_teacher",
    "evaluate",
    "is_own_task_module",
    "get_architecture",
    "graft",
    "graft_session",
    "keep_freed_memory",
    "labelled_subset",
    "list_architectures",
    "load_module",
    "load_task_data",
    "train_split_size",
    "read_manifest",
    "register_architecture",
    "save_module",
    "train_teacher",
    "validate_weights_file",
    "DataOrigin",
    "FolderSummary",
    "folder_sha256",
    "load_folder_data",
    "native_input_shape",
    "path_input_shape",
    "scan_folder",
    "with_data_origin",
    "import_torchvision",
]
