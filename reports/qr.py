"""QR codes of links, as PNG or SVG bytes: medium error correction survives a printed poster."""
from __future__ import annotations

import io
from collections.abc import Iterable

import qrcode
import qrcode.image.pil

BORDER = 4      # modules of quiet zone around the code


def qr_image(url: str, kind: str = "png", box_size: int = 10) -> bytes:
    return qr_images(url, (kind,), box_size)[kind]


def qr_images(url: str, kinds: Iterable[str] = ("png", "svg"), box_size: int = 10) -> dict[str, bytes]:
    """The link's QR code in each of `kinds` ("png", "svg"); the code (its mask chosen among eight,
    the slow part) is computed once for all of them. `box_size`: pixels per module (PNG); the SVG
    is drawn in modules, box_size / 10 mm each."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=BORDER)
    code.add_data(url)
    code.make(fit=True)
    return {kind: _RENDER[kind](code, box_size) for kind in kinds}


def _png(code: qrcode.QRCode, box_size: int) -> bytes:
    out = io.BytesIO()
    code.make_image(image_factory=qrcode.image.pil.PilImage).save(out)
    return out.getvalue()


def _svg(code: qrcode.QRCode, box_size: int) -> bytes:
    """One <path> of a square per dark module, as qrcode's SvgPathImage draws it (the same bytes
    at the default box size), written directly: ten times faster."""
    matrix = code.get_matrix()            # with the border
    size = len(matrix)
    path = "".join(f"M{x},{y}H{x + 1}V{y + 1}H{x}z" for y, row in enumerate(matrix) for x, dark in enumerate(row)
                   if dark)
    width = f"{size * box_size / 10:g}mm"
    return ("<?xml version='1.0' encoding='UTF-8'?>\n"
            f'<svg width="{width}" height="{width}" version="1.1" viewBox="0 0 {size} {size}" '
            f'xmlns="http://www.w3.org/2000/svg"><path d="{path}" id="qr-path" fill="#000000" fill-opacity="1" '
            'fill-rule="nonzero" stroke="none"/></svg>').encode()


_RENDER = {"png": _png, "svg": _svg}
