"""The engine's error types. Every error the engine raises on purpose derives from TransplantError."""


class TransplantError(Exception):
    """Base of every error the engine raises on purpose; its message says what to do."""


class DatasetError(TransplantError):
    """A data set is missing, corrupted or not what the engine expects."""


class ModuleFileError(TransplantError):
    """A module folder (manifest.json + weights.safetensors) is missing, malformed or inconsistent."""


class IncompatibleModulesError(TransplantError):
    """Two modules cannot be connected (wrong kinds, tasks or feature shapes)."""


class UnknownArchitectureError(TransplantError, ValueError):
    """No architecture is registered under the requested name."""


class TrainingDiverged(TransplantError):
    """A loss became NaN or infinite during training."""


class Cancelled(TransplantError):
    """The caller's cancellation check asked training to stop."""
