"""Evidence files a county uploads for its self-assessment: what they are, told by their content.

A file is accepted only as one of a few kinds, each recognised by its first bytes (and, for Word and
Excel, by the parts its zip directory lists; nothing is unpacked). The name the user gave decides
nothing but the name shown. Files are stored under generated names outside the web root, and served
with the media type of their kind: never one a browser would run (HTML, SVG, script).
"""
from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePath

from survey_app.errors import UserError
from survey_app.io.atomic import atomic_file

MB = 1024 * 1024
MAX_FILE_BYTES = 20 * MB         # one file (a scanned document of some pages)
MAX_FILES_PER_POINT = 10
MAX_NAME = 120                   # characters of the name shown
MAX_ZIP_PARTS = 2000             # a Word or Excel file of many images has a few hundred


@dataclass(frozen=True)
class Kind:
    key: str
    label: str                   # how it is named to users
    media_type: str
    preview: bool                # shown in the browser (PDF, images); else downloaded


KINDS = {k.key: k for k in (
    Kind("pdf", "PDF", "application/pdf", True),
    Kind("png", "PNG 图片", "image/png", True),
    Kind("jpeg", "JPEG 图片", "image/jpeg", True),
    Kind("docx", "Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", False),
    Kind("xlsx", "Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    Kind("doc", "Word 97-2003 文档", "application/msword", False),
    Kind("xls", "Excel 97-2003 表格", "application/vnd.ms-excel", False),
)}
ACCEPTED = "PDF、PNG 或 JPEG 图片、Word（.docx/.doc）、Excel（.xlsx/.xls）"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"      # the compound file of Office 97-2003


def kind_of(name: str, data: bytes) -> Kind:
    """The kind of an uploaded file by its content; UserError (Chinese, naming the file) if it is none
    of the accepted kinds or too large."""
    shown = shown_name(name)
    if not data:
        raise UserError(f"{shown}：文件是空的")
    if len(data) > MAX_FILE_BYTES:
        raise UserError(f"{shown}：文件太大（{len(data) / MB:.1f} MB），每个文件不能超过 {MAX_FILE_BYTES // MB} MB。"
                        "扫描件请降低分辨率（如 150 dpi）或分成几个文件上传。")
    key = _sniff(data, PurePath(name).suffix.lower())
    if key is None:
        raise UserError(f"{shown}：不是可以接受的文件类型（只接受 {ACCEPTED}；按文件内容判断，与扩展名无关）")
    return KINDS[key]


def _sniff(data: bytes, suffix: str) -> str | None:
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(OLE2):            # both old formats share the container; the name tells which
        return {".doc": "doc", ".xls": "xls"}.get(suffix)
    if data.startswith(b"PK\x03\x04"):
        return _office_zip(data)
    return None


def _office_zip(data: bytes) -> str | None:
    """docx or xlsx by the parts the zip directory lists (read without unpacking anything)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if len(names) > MAX_ZIP_PARTS or "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def shown_name(name: str) -> str:
    """The name shown for a file: its last path part, without control characters, of bounded length."""
    last = PurePath(name.replace("\\", "/")).name
    clean = "".join(ch for ch in last if ch.isprintable()).strip().strip(".")
    clean = clean or "未命名文件"
    return clean if len(clean) <= MAX_NAME else clean[:MAX_NAME - 1] + "…"


@dataclass(frozen=True)
class Stored:
    stored_name: str
    sha256: str
    size: int


def store(folder: Path, kind: Kind, data: bytes) -> Stored:
    """The file written (atomically) under a new generated name in `folder`."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stored_name = f"{secrets.token_hex(16)}.{kind.key}"
    with atomic_file(folder / stored_name, "wb", encoding=None) as stream:
        stream.write(data)
    return Stored(stored_name, hashlib.sha256(data).hexdigest(), len(data))
