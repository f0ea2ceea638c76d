"""Data for the engine: Animal-MNIST tasks (classification, cluttered-scene segmentation) and
an optional Pascal VOC 2011 + SBD loader for users who have that data on disk."""

from engine.data.animal_mnist import CATEGORIES, MAMMALS, load_animal_mnist
from engine.data.splits import TaskData, labelled_subset, leave_one_out, load_task_data, unlabelled_images
from engine.data.voc import VOC_CATEGORIES, load_voc_task_data

__all__ = [
    "CATEGORIES",
    "MAMMALS",
    "VOC_CATEGORIES",
    "TaskData",
    "labelled_subset",
    "leave_one_out",
    "load_animal_mnist",
    "load_task_data",
    "load_voc_task_data",
    "unlabelled_images",
]
