"""Zip archives written as a stream of chunks: downloads of modules and datasets never hold an
archive, or a member, whole in memory."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from webapp.storage.blobs import CHUNK_BYTES


@dataclass(frozen=True)
class ZipMember:
    """One file of a streamed archive: its name in the zip, its size, and how to open it."""

    name: str
    size: int
    open: Callable[[], IO[bytes]]


class _ChunkSink:
    """A write-only file for ``zipfile``: it keeps what was written until :meth:`take` is called.

    Having no ``tell``/``seek``, it makes ``zipfile`` write a streamable archive (data
    descriptors after each member), so an archive is never held whole in memory.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_stream(members: Iterable[ZipMember], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Yield a zip archive (stored, not compressed) of ``members``, each read chunk by chunk.

    Memory stays at about ``chunk_bytes`` whatever the members' number and sizes. Each member's
    size, known beforehand, lets ``zipfile`` choose ZIP64 only where a member needs it.

    Args:
        members: the files, in archive order; each is opened only when its turn comes.
        chunk_bytes: how much of a member is read at a time.
    """
    sink = _ChunkSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name)
            info.file_size = member.size
            info.compress_type = zipfile.ZIP_STORED
            with member.open() as source, archive.open(info, "w") as target:
                for block in iter(lambda: source.read(chunk_bytes), b""):
                    target.write(block)
                    if chunk := sink.take():
                        yield chunk
            if chunk := sink.take():
                yield chunk
    if chunk := sink.take():  # the central directory, written when the archive closes
        yield chunk
