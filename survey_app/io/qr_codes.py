"""QR codes of channel links, written as PNG and SVG files."""
from __future__ import annotations

import re
from pathlib import Path

import qrcode
import qrcode.image.pure
import qrcode.image.svg


# Characters a file name cannot hold on Linux or Windows: a label such as "一中/二中" or
# "../x" must name a file inside the output folder.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def qr_stem(row: tuple) -> str:
    """File name (without suffix) of a link row's QR code: channel_county_label."""
    code, _county, county_name, label, _url = row
    return _UNSAFE.sub("_", f"{code}_{county_name}_{label}")


def write_qr(url: str, directory: Path, stem: str) -> tuple[Path, Path]:
    """PNG and SVG QR codes of a link; medium error correction survives a printed poster."""
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{stem}.png", directory / f"{stem}.svg"
    for path, factory in ((png, qrcode.image.pure.PyPNGImage), (svg, qrcode.image.svg.SvgPathImage)):
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
        code.add_data(url)
        code.make(fit=True)
        with path.open("wb") as f:
            code.make_image(image_factory=factory).save(f)
    return png, svg
