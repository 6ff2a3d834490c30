"""QR codes of links, as PNG or SVG bytes: medium error correction survives a printed poster."""
from __future__ import annotations

import io

import qrcode
import qrcode.image.pil
import qrcode.image.svg

FACTORIES = {"png": qrcode.image.pil.PilImage, "svg": qrcode.image.svg.SvgPathImage}


def qr_image(url: str, kind: str = "png", box_size: int = 10) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=FACTORIES[kind]).save(out)
    return out.getvalue()
