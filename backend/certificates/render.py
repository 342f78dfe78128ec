"""The certificate as a PNG: the holder, the class, the number and a QR code to verify it."""

from __future__ import annotations

import logging
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger("jobready.certificates")

# Fonts that draw Chinese (Debian: fonts-wqy-microhei, fonts-noto-cjk); the first found wins.
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
WIDTH, HEIGHT = 1600, 1130
QR_SIZE = 260
QR_ORIGIN = (WIDTH - 360, HEIGHT - 360)  # top-left corner of the QR code on the image


def verification_url(public_base_url: str, number: str) -> str:
    """The public page a certificate's QR code points to (第二十二条: anyone may check it)."""
    return f"{public_base_url.rstrip('/')}/api/v1/certificates/{number}/verify"


@lru_cache(maxsize=1)
def cjk_font_path() -> str | None:
    """The first installed font that can draw Chinese, or None."""
    return next((p for p in CJK_FONTS if Path(p).is_file()), None)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = cjk_font_path()
    if path is None:
        log.warning(
            "no CJK font installed: certificate text will not render (install fonts-wqy-microhei)"
        )
        return ImageFont.load_default()
    return ImageFont.truetype(path, size)


def qr_image(url: str) -> Image.Image:
    """The QR code of a URL as drawn on the certificate."""
    image = qrcode.make(url, box_size=8, border=2).get_image()
    return image.convert("RGB").resize((QR_SIZE, QR_SIZE))


# 第十条/第十一条: a 师资班 trains future instructors; its certificate says so. It is not the
# 《求职能力实训师资证书》 itself, which city HR issues after the evaluation (第十三条).
WORDING: dict[str, tuple[str, str]] = {
    "trainee_class": ("求职能力实训结业证书", "完成全部培训课程，考核合格，准予结业。"),
    "instructor_class": (
        "求职能力实训师资班结业证书",
        "完成师资班全部培训课程，考核合格，准予结业。",
    ),
}


def certificate_wording(kind: str) -> tuple[str, str]:
    """The certificate's title and closing line for a class kind (学员班 or 师资班)."""
    return WORDING.get(kind, WORDING["trainee_class"])


def render_certificate(
    *,
    number: str,
    name: str,
    class_title: str,
    start: date,
    end: date,
    verify_url: str,
    kind: str = "trainee_class",
    authority: str = "",
    issued_on: date | None = None,
) -> bytes:
    """Draw the certificate and return PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#fffdf6")
    draw = ImageDraw.Draw(image)
    draw.rectangle((30, 30, WIDTH - 30, HEIGHT - 30), outline="#b22222", width=8)
    draw.rectangle((50, 50, WIDTH - 50, HEIGHT - 50), outline="#d4a017", width=3)
    center = WIDTH // 2
    title, closing = certificate_wording(kind)
    draw.text((center, 170), title, font=_font(84), fill="#b22222", anchor="mm")
    body = (
        f"{name} 同志于 {start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}",
        f"参加“{class_title}”",
        closing,
    )
    for n, line in enumerate(body):
        draw.text((center, 380 + n * 90), line, font=_font(46), fill="#222222", anchor="mm")
    if authority:
        draw.text((140, HEIGHT - 270), f"发证机关：{authority}", font=_font(34), fill="#333333")
    if issued_on is not None:
        draw.text(
            (140, HEIGHT - 220),
            f"发证日期：{issued_on:%Y年%m月%d日}",
            font=_font(34),
            fill="#333333",
        )
    draw.text((140, HEIGHT - 170), f"证书编号：{number}", font=_font(34), fill="#333333")
    draw.text((140, HEIGHT - 120), "扫描右侧二维码验证证书真伪", font=_font(28), fill="#666666")
    image.paste(qr_image(verify_url), QR_ORIGIN)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
