"""QR codes of channel links written as PNG and SVG files, with names safe on any system."""
from __future__ import annotations

from pathlib import Path

from reports.filenames import safe_file_name
from reports.qr import qr_images


def qr_stem(row: tuple) -> str:
    """File name (without suffix) of a link row's QR code: channel_county_label, inside its folder."""
    code, _county, county_name, label, _url = row
    return safe_file_name(f"{code}_{county_name}_{label}")


def write_qr(url: str, directory: Path, stem: str) -> tuple[Path, Path]:
    """PNG and SVG files of a link's QR code."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = directory / f"{stem}.png", directory / f"{stem}.svg"
    images = qr_images(url, ("png", "svg"))
    for path in paths:
        path.write_bytes(images[path.suffix[1:]])
    return paths


def write_many(codes: list[tuple[str, str]], directory: Path) -> None:
    """QR code files of (link, stem) pairs (write_qr each): a task a worker process can run."""
    for url, stem in codes:
        write_qr(url, directory, stem)
