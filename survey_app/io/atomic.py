"""Write a file whole or not at all: into a private temporary file beside it, renamed at the end."""
from __future__ import annotations

import os
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
