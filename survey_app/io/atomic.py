"""Write a file, or a folder of files, whole or not at all: built beside it and renamed at the end."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from survey_app.errors import UserError

_UMASK = os.umask(0)     # read once at import (the only way to read it), then put back
os.umask(_UMASK)


@contextmanager
def atomic_file(path: Path, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """A stream whose content replaces `path` only when the block ends without an error.

    Each call writes its own temporary file, so two writers of one path never mix their
    output; the last to finish wins. On an error the temporary file is removed and `path`
    is left as it was.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise UserError(f"输出目录 {path.parent} 不存在")
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        os.chmod(temporary, 0o666 & ~_UMASK)   # an ordinary file, as open() would make it
        with os.fdopen(fd, mode, encoding=encoding, newline="" if "b" not in mode else None) as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def replace_directory(files: dict[str, bytes], directory: Path) -> list[Path]:
    """Write `files` (relative path -> bytes) as the whole content of `directory`: built beside it
    and swapped in at the end, so the folder holds one complete set or the previous one."""
    directory = Path(directory)
    if not directory.parent.is_dir():
        raise UserError(f"输出目录 {directory.parent} 不存在")
    building = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".part"))
    try:
        for name, data in files.items():
            path = building / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        os.chmod(building, 0o777 & ~_UMASK)
        old = None
        if directory.exists():
            old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
            os.replace(directory, old)
        os.replace(building, directory)
    except OSError as exc:
        shutil.rmtree(building, ignore_errors=True)
        raise UserError(f"无法写入 {directory}：{exc.strerror}（文件是否正被其他程序打开？）") from exc
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return [directory / name for name in files]
