"""Where uploads go on the disk: whole files or none, and a clear word when the disk is full."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Collection
from typing import IO

from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import transaction

# A full disk, or a full quota: the user can do nothing about it but wait for the admins.
DISK_FULL_ERRORS = {errno.ENOSPC, errno.EDQUOT}


def is_disk_full(error: BaseException) -> bool:
    """Return whether an OSError says that the disk (or the quota) is full."""
    return isinstance(error, OSError) and error.errno in DISK_FULL_ERRORS


class TemporaryPath:
    """A file already on the disk: FileSystemStorage moves it into place by renaming it."""

    def __init__(self, path: str) -> None:
        self.path = path

    def temporary_file_path(self) -> str:
        return self.path


class WholeFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose files appear whole or not at all.

    Django's storage writes the file at its final name: when the disk fills up in the
    middle, a truncated file stays there. Here each file is written under a temporary
    name in its own directory, then renamed into place (a rename within a directory
    never copies); whatever fails, the temporary file is removed.
    """

    def _save(self, name: str, content: File[bytes] | File[str]) -> str:
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as out:
                self._write(out, content)
            # django-stubs leave out _save, which FileSystemStorage has: it is not public.
            return super()._save(name, TemporaryPath(partial))  # type: ignore[misc]
        finally:
            if os.path.exists(partial):
                os.remove(partial)

    def _write(self, out: IO[bytes], content: File[bytes] | File[str]) -> None:
        for chunk in content.chunks():
            out.write(chunk if isinstance(chunk, bytes) else chunk.encode())


def delete_files_on_commit(names: Collection[str]) -> None:
    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)
