"""The CJK font every document embeds (Noto Sans SC, SIL OFL), installed with the project from PyPI,
so Chinese renders on a fresh machine without system fonts."""
from __future__ import annotations

from pathlib import Path

import pylopdf_fonts_zh_cn


def cjk_font() -> Path:
    return pylopdf_fonts_zh_cn.sans_path()
