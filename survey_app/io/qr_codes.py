"""QR codes of channel links written as PNG and SVG files, with names safe on any system."""
from __future__ import annotations

import re
from pathlib import Path

from reports.qr import qr_image

# Characters a file name cannot hold on Linux or Windows: a label such as "一中/二中" or
# "../x" must name a file inside the output folder.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def qr_stem(row: tuple) -> str:
    """File name (without suffix) of a link row's QR code: channel_county_label."""
    code, _county, county_name, label, _url = row
    return _UNSAFE.sub("_", f"{code}_{county_name}_{label}")


def write_qr(url: str, directory: Path, stem: str) -> tuple[Path, Path]:
    """PNG and SVG files of a link's QR code."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = directory / f"{stem}.png", directory / f"{stem}.svg"
    for path in paths:
        path.write_bytes(qr_image(url, path.suffix[1:]))
    return paths
