"""Safe unpacking of an uploaded dataset zip: every member is checked before a byte is written.

Refused (each an ApplicationError naming the member and the rule): a file that is not a zip, too
many members, a total that unpacks beyond the limit (a zip bomb, also caught while writing when the
sizes in the directory lie), absolute paths, ``..`` and links (zip slip), and non-image files.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings

from webapp.errors import ApplicationError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
# Files that archivers and desktops add; skipped, not refused.
IGNORED_PARTS = frozenset({"__MACOSX", "Thumbs.db", "desktop.ini"})
_CHUNK = 1 << 20


def _refuse(name: str, rule: str, *, code: str, status: int = 400) -> ApplicationError:
    return ApplicationError(f"{name}: {rule}", code=code, status=status, details={"file": name, "rule": code})


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath | None:
    """The member's safe relative path, None for one to skip; raises for a zip-slip attempt."""
    name = info.filename
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or "\\" in name:
        raise _refuse(
            name,
            "an absolute or Windows path; members must be relative paths such as forklift/0001.png",
            code="zip_slip",
        )
    parts = PurePosixPath(name).parts
    if ".." in parts:
        raise _refuse(
            name, "a path with '..' (it would unpack outside the data set); remove it", code="zip_slip"
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise _refuse(name, "a symbolic link; a data set holds only image files", code="zip_slip")
    if any(part in IGNORED_PARTS or part.startswith(".") for part in parts):
        return None
    return PurePosixPath(*parts)


def _check_members(archive: zipfile.ZipFile) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    members = archive.infolist()
    if len(members) > settings.DATASET_MAX_FILES:
        raise ApplicationError(
            f"The zip holds {len(members)} entries; the limit is {settings.DATASET_MAX_FILES}. "
            "Split the data set or leave out images.",
            code="too_many_files",
            status=413,
            details={"rule": "too_many_files"},
        )
    kept: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    total = 0
    for info in members:
        path = _member_path(info)
        if path is None or info.is_dir():
            continue
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise _refuse(
                info.filename,
                "not an image file; a data set holds only PNG and JPEG "
                "images (class folders, or images/ with masks/)",
                code="not_an_image",
            )
        total += info.file_size
        if total > settings.DATASET_MAX_UNCOMPRESSED_BYTES:
            raise _refuse(
                info.filename,
                f"the zip unpacks to more than "
                f"{settings.DATASET_MAX_UNCOMPRESSED_BYTES} bytes (a zip bomb, or too large)",
                code="zip_bomb",
                status=413,
            )
        kept.append((info, path))
    if not kept:
        raise ApplicationError(
            "The zip holds no images; put class folders (forklift/0001.png) or images/ with masks/ inside.",
            code="empty_dataset",
            details={"rule": "empty_dataset"},
        )
    return kept


def unpack_zip(upload: IO[bytes], target: Path) -> int:
    """Check every member of the zip ``upload`` and unpack its images under ``target``.

    Args:
        upload: a seekable binary file (the uploaded zip).
        target: an empty folder.

    Returns:
        How many bytes were written.

    Raises:
        ApplicationError: 400 or 413, naming the member and the rule it broke.
    """
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ApplicationError(
            f"The upload is not a zip file ({exc}); zip the data set's folder.",
            code="not_a_zip",
            details={"rule": "not_a_zip"},
        ) from exc
    written = 0
    limit = settings.DATASET_MAX_UNCOMPRESSED_BYTES
    with archive:
        for info, path in _check_members(archive):
            destination = target.joinpath(*path.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(info) as source, destination.open("wb") as out:
                    # The sizes in the zip's directory are claims; count what really comes out.
                    while block := source.read(_CHUNK):
                        written += len(block)
                        if written > limit:
                            raise _refuse(
                                info.filename,
                                f"the zip unpacks to more than {limit} bytes (a zip bomb, or too large)",
                                code="zip_bomb",
                                status=413,
                            )
                        out.write(block)
            except (
                zipfile.BadZipFile,
                zipfile.LargeZipFile,
                OSError,
                EOFError,
                NotImplementedError,
                RuntimeError,
            ) as exc:
                raise _refuse(
                    info.filename, f"cannot be unpacked ({exc}); the zip is damaged", code="not_a_zip"
                ) from exc
    return written
