"""Pixel sizes of the PNG images a set of documents holds, read from their header.

A page that shows an image gives its width and height, so the browser keeps its place before the
image arrives (no layout shift); the size is recorded when the image is produced and read back here
from the file for sets written before that.
"""
from __future__ import annotations

import struct

SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEADER = 24          # the signature, the IHDR chunk's length and type, then width and height


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG from its first 24 bytes (or more).

    Raises ValueError for data that is not a PNG.
    """
    if len(data) < HEADER or data[:8] != SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
