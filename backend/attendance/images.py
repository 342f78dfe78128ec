"""QR images of a check-in code: PNG for the mini-program and downloads, SVG for the projector."""

from __future__ import annotations

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _code(text: str, box_size: int) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str, *, box_size: int = 10) -> bytes:
    """A PNG QR code of `text`."""
    buffer = io.BytesIO()
    _code(text, box_size).make_image().save(buffer)
    return buffer.getvalue()


def qr_svg(text: str) -> bytes:
    """A scalable SVG QR code of `text` (one path, white background)."""
    image = _code(text, 10).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    return bytes(image.to_string(encoding="unicode").encode())
