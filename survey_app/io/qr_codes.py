"""QR codes of channel links: PNG and SVG, as bytes or written as files."""
from __future__ import annotations

import io
import re
from pathlib import Path

import qrcode
import qrcode.image.pure
import qrcode.image.svg

# Characters a file name cannot hold on Linux or Windows: a label such as "一中/二中" or
# "../x" must name a file inside the output folder.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')
FACTORIES = {"png": qrcode.image.pure.PyPNGImage, "svg": qrcode.image.svg.SvgPathImage}


def qr_stem(row: tuple) -> str:
    """File name (without suffix) of a link row's QR code: channel_county_label."""
    code, _county, county_name, label, _url = row
    return _UNSAFE.sub("_", f"{code}_{county_name}_{label}")


def qr_image(url: str, kind: str, box_size: int = 10) -> bytes:
    """A QR code of the link as PNG or SVG; medium error correction survives a printed poster."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=FACTORIES[kind]).save(out)
    return out.getvalue()


def write_qr(url: str, directory: Path, stem: str) -> tuple[Path, Path]:
    """PNG and SVG files of a link's QR code."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = directory / f"{stem}.png", directory / f"{stem}.svg"
    for path in paths:
        path.write_bytes(qr_image(url, path.suffix[1:]))
    return paths
