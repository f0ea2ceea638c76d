"""A module's manifest: what it is, how to rebuild it, where it came from, and its weights' hash."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from engine.config import ModuleKind, Task
from engine.errors import ModuleFileError
from engine.version import MANIFEST_FORMAT, __version__

PARENT_ROLES = ("category", "task", "teacher_task", "fine_tuned_from", "data")  # data: a DataOrigin

# Bounds on what a manifest may hold: a manifest is a small description of one module, and every
# field ends up in the catalog's database and pages.
MAX_NAME_CHARS = 200
MAX_SHORT_TEXT_CHARS = 100  # category names, architecture, licence
MAX_TEACHER_KEY_CHARS = 200
MAX_DESCRIPTION_CHARS = 10_000
MAX_CATEGORIES = 64
MAX_PARENTS = 16
MAX_METRICS = 64
MAX_SHAPE_SIZE = 4096  # channels, height or width
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Manifest:
    """Everything needed to rebuild and trust a module; see docs/engine-api.md for each field.

    `teacher` is shared by the modules of one teacher net (its category and task modules), so the
    teacher task module of a category module can be found. `feature_rms` is the root-mean-square of the
    features at the module's boundary on its own training images (a category module's output, a task
    module's input), from which the adapter's re-scaling factor beta is derived without data.
    """

    kind: ModuleKind
    name: str
    architecture: str
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    task: Task | None = None
    category: str | None = None
    categories: tuple[str, ...] = ()
    feature_rms: float = 1.0
    metrics: dict[str, float] = field(default_factory=dict)
    parents: tuple[dict[str, str], ...] = ()
    teacher: str = ""
    config: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    created: str = ""
    license: str = "MIT"
    description: str = ""
    engine_version: str = __version__
    format: int = MANIFEST_FORMAT

    def __post_init__(self) -> None:
        _check(isinstance(self.name, str) and self.name.strip() != "", "name must be a non-empty string")
        _check_text("name", self.name, MAX_NAME_CHARS)
        _check_text("architecture", self.architecture, MAX_SHORT_TEXT_CHARS)
        for name, limit in (
            ("category", MAX_SHORT_TEXT_CHARS),
            ("license", MAX_SHORT_TEXT_CHARS),
            ("teacher", MAX_TEACHER_KEY_CHARS),
            ("description", MAX_DESCRIPTION_CHARS),
        ):
            if getattr(self, name) is not None:
                _check_text(name, getattr(self, name), limit)
        _check(
            self.sha256 == "" or bool(_SHA256.fullmatch(self.sha256)),
            "sha256 must be 64 lower-case hex digits (the weights' SHA-256), or empty",
        )
        object.__setattr__(self, "kind", _enum(ModuleKind, self.kind, "kind"))
        if self.task is not None:
            object.__setattr__(self, "task", _enum(Task, self.task, "task"))
        if self.kind is not ModuleKind.CATEGORY:
            _check(self.task is not None, f"a {self.kind} module's manifest must name its task")
        if self.kind is not ModuleKind.TASK:
            _check(
                isinstance(self.category, str) and self.category != "",
                f"a {self.kind} module must name its category",
            )
        for name in ("input_shape", "output_shape"):
            shape = getattr(self, name)
            _check(
                isinstance(shape, (list, tuple))
                and len(shape) == 3
                and all(type(n) is int and 0 < n <= MAX_SHAPE_SIZE for n in shape),
                f"{name} must be [channels, height, width] of integers from 1 to {MAX_SHAPE_SIZE}, "
                f"got {_short(shape)}",
            )
            object.__setattr__(self, name, tuple(shape))
        _check(
            isinstance(self.categories, (list, tuple))
            and len(self.categories) <= MAX_CATEGORIES
            and all(isinstance(c, str) and 0 < len(c) <= MAX_SHORT_TEXT_CHARS for c in self.categories),
            f"categories must be a list of at most {MAX_CATEGORIES} category names of 1 to "
            f"{MAX_SHORT_TEXT_CHARS} characters",
        )
        object.__setattr__(self, "categories", tuple(self.categories))
        _check(
            isinstance(self.feature_rms, (int, float))
            and math.isfinite(self.feature_rms)
            and self.feature_rms > 0,
            "feature_rms must be a positive number",
        )
        _check(
            isinstance(self.metrics, dict)
            and len(self.metrics) <= MAX_METRICS
            and all(
                isinstance(k, str)
                and 0 < len(k) <= MAX_SHORT_TEXT_CHARS
                and type(v) in (int, float)
                and math.isfinite(v)
                for k, v in self.metrics.items()
            ),
            f"metrics must map at most {MAX_METRICS} names to finite numbers",
        )
        _check(
            isinstance(self.parents, (list, tuple))
            and len(self.parents) <= MAX_PARENTS
            and all(
                isinstance(p, dict)
                and p.get("role") in PARENT_ROLES
                and isinstance(p.get("sha256"), str)
                and bool(_SHA256.fullmatch(p["sha256"]))
                and isinstance(p.get("name", ""), str)
                and len(p.get("name", "")) <= MAX_NAME_CHARS
                and set(p) <= {"role", "sha256", "name"}
                for p in self.parents
            ),
            f"parents must be a list of at most {MAX_PARENTS} {{role, sha256, name}} with role one of "
            f"{PARENT_ROLES} and sha256 the parent's 64 hex digits",
        )
        object.__setattr__(self, "parents", tuple(dict(p) for p in self.parents))
        _check(isinstance(self.config, dict), "config must be an object")
        _check(
            isinstance(self.format, int) and self.format <= MANIFEST_FORMAT,
            f"manifest format {self.format!r} is newer than this engine reads ({MANIFEST_FORMAT}); "
            "upgrade the engine",
        )
        if not self.created:
            object.__setattr__(self, "created", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (enums as strings, tuples as lists)."""
        data = asdict(self)
        data["kind"] = str(self.kind)
        data["task"] = None if self.task is None else str(self.task)
        for name in ("input_shape", "output_shape", "categories", "parents"):
            data[name] = list(data[name])
        return data

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        """Validate and build a manifest from parsed JSON; ModuleFileError says what is wrong."""
        if not isinstance(data, dict):
            raise ModuleFileError("manifest.json must hold a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ModuleFileError(
                f"manifest.json has unknown field(s) {unknown}; known fields: {sorted(known)}"
            )
        required = ("kind", "name", "architecture", "input_shape", "output_shape")
        missing = [name for name in required if name not in data]
        if missing:
            raise ModuleFileError(f"manifest.json lacks the field(s) {missing}")
        try:
            return cls(**data)
        except (TypeError, ValueError) as error:
            raise ModuleFileError(f"manifest.json is invalid: {error}") from None

    def with_(self, **changes: Any) -> Manifest:
        return replace(self, **changes)

    def parent_entry(self, role: str) -> dict[str, str]:
        """This module as a parent of another, in the given role."""
        return {"role": role, "sha256": self.sha256, "name": self.name}


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."


def _check_text(name: str, value: object, limit: int) -> None:
    _check(isinstance(value, str), f"{name} must be a string, got {_short(value)}")
    _check(len(value) <= limit, f"{name} is {len(value)} characters long; at most {limit} are allowed")


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _enum(enum_type, value, what):
    try:
        return enum_type(value)
    except ValueError:
        raise ValueError(
            f"{what} must be one of {[m.value for m in enum_type]}, got {_short(value)}"
        ) from None
