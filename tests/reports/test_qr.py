"""QR codes: computed once for both formats, the same bytes as the qrcode package draws them."""
import io

import pytest
import qrcode
import qrcode.image.pil
import qrcode.image.svg

from reports.qr import qr_image, qr_images

FACTORIES = {"png": qrcode.image.pil.PilImage, "svg": qrcode.image.svg.SvgPathImage}


def drawn_by_qrcode(url: str, kind: str, box_size: int = 10) -> bytes:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(url)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(image_factory=FACTORIES[kind]).save(out)
    return out.getvalue()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/s/5i2rOzut7aaW", "https://pj.example.cn/s/-ZN5jzV-f1ae",
                                 "https://pj.example.cn/s/" + "x" * 180])
def test_both_formats_from_one_code_equal_what_qrcode_draws(url):
    images = qr_images(url)
    assert images == {kind: drawn_by_qrcode(url, kind) for kind in ("png", "svg")}
    assert qr_image(url, "png", box_size=12) == drawn_by_qrcode(url, "png", box_size=12)
