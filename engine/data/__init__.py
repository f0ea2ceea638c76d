"""Data for the engine: Animal-MNIST tasks (classification, cluttered-scene segmentation), a
user's own folder of images (ImageFolder classes, or images with masks), and an optional Pascal
VOC 2011 + SBD loader for users who have that data on disk."""

from engine.data.animal_mnist import CATEGORIES, MAMMALS, load_animal_mnist
from engine.data.folder import (
    DataOrigin,
    FolderSummary,
    folder_sha256,
    load_folder_data,
    native_input_shape,
    path_input_shape,
    scan_folder,
    with_data_origin,
)
from engine.data.images import MAX_IMAGE_PIXELS
from engine.data.splits import (
    TaskData,
    labelled_subset,
    leave_one_out,
    load_task_data,
    train_split_size,
    unlabelled_images,
    unlabelled_pool,
)
from engine.data.voc import VOC_CATEGORIES, load_voc_task_data

__all__ = [
    "CATEGORIES",
    "DataOrigin",
    "FolderSummary",
    "MAMMALS",
    "MAX_IMAGE_PIXELS",
    "VOC_CATEGORIES",
    "TaskData",
    "folder_sha256",
    "labelled_subset",
    "leave_one_out",
    "load_animal_mnist",
    "load_folder_data",
    "load_task_data",
    "load_voc_task_data",
    "native_input_shape",
    "path_input_shape",
    "scan_folder",
    "train_split_size",
    "unlabelled_images",
    "unlabelled_pool",
    "with_data_origin",
]
