"""The résumé as a PDF (fpdf2): Chinese text in an embedded subset of a CJK TrueType font.

No I/O besides reading the font. The font is Debian's fonts-wqy-microhei (a TrueType
collection, which fpdf2 reads with `collection_font_number`), installed by the project's own
steps (.ci/apt-packages.txt, the Dockerfile). fpdf2 embeds only the glyphs used, so a résumé
stays small, and writes a ToUnicode map, so the text can be copied and extracted. CPU-bound:
callers run it in a thread.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fpdf import FPDF

from backend.errors import ConfigurationMissing
from backend.practice.schemas import ResumeContent

# TrueType-outline CJK fonts (fpdf2 subsets TrueType); the first found wins.
PDF_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
FAMILY = "cjk"


@lru_cache(maxsize=1)
def pdf_font_path() -> str | None:
    """The first installed CJK TrueType font, or None."""
    return next((p for p in PDF_FONTS if Path(p).is_file()), None)


def _pdf() -> FPDF:
    path = pdf_font_path()
    if path is None:
        raise ConfigurationMissing(
            "服务器未安装中文字体，暂时无法导出简历（请安装 fonts-wqy-microhei）",
            code="CJK_FONT_MISSING",
        )
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FAMILY, "", path, collection_font_number=0)
    pdf.set_title("个人简历")
    pdf.set_creator("JobReady")
    pdf.add_page()
    return pdf


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, size=13)
    pdf.set_text_color(30, 60, 120)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(30, 60, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(2)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(FAMILY, size=10.5)


def _line(pdf: FPDF, text: str) -> None:
    if text.strip():
        pdf.multi_cell(0, 6, text.strip(), new_x="LMARGIN", new_y="NEXT")


def _period(start: str, end: str) -> str:
    return f"{start}—{end}" if start and end else start or end


def render_resume(content: ResumeContent, *, phone: str = "") -> bytes:
    """The résumé as PDF bytes (A4), sections in the usual Chinese order."""
    pdf = _pdf()
    pdf.set_font(FAMILY, size=20)
    pdf.cell(0, 12, content.name or "个人简历", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=10.5)
    contact = "  ".join(
        v for v in (content.gender, f"电话：{phone}" if phone else "", content.email) if v
    )
    _line(pdf, contact)
    if content.intention or content.desired_occupations:
        _heading(pdf, "求职意向")
        _line(pdf, "、".join(content.desired_occupations))
        _line(pdf, content.intention)
    if content.education:
        _heading(pdf, "教育经历")
        for e in content.education:
            _line(
                pdf,
                "  ".join(v for v in (_period(e.start, e.end), e.school, e.major, e.degree) if v),
            )
    if content.experience:
        _heading(pdf, "工作经历")
        for x in content.experience:
            _line(pdf, "  ".join(v for v in (_period(x.start, x.end), x.employer, x.position) if v))
            _line(pdf, x.description)
    if content.skills:
        _heading(pdf, "技能特长")
        _line(pdf, "、".join(content.skills))
    if content.certificates:
        _heading(pdf, "证书")
        _line(pdf, "、".join(content.certificates))
    if content.self_evaluation:
        _heading(pdf, "自我评价")
        _line(pdf, content.self_evaluation)
    return bytes(pdf.output())
