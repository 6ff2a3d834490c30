"""Printable A4 posters (PDF) that invite residents to scan a channel's QR code."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from reports.fonts import font_for
from reports.qr import qr_image

INK, ACCENT, MUTED = (31, 35, 40), (11, 92, 173), (87, 96, 106)
# The poster's own words (Chinese wraps between any two characters, so they hold no spaces).
INVITATION = ("您对本地教育满意吗？\n诚邀家长、学生、教师和各界群众扫码参与匿名调查，约需{minutes}分钟。\n"
              "您的意见是评价县级政府履行教育职责的重要依据。")
SCAN, CLOSES, ANONYMOUS, ORGANIZER = ("微信或手机浏览器扫一扫，即可填写", "调查截止：{closes}",
                                      "匿名填写，不收集姓名、电话等个人信息", "组织单位：{organizer}")


@dataclass(frozen=True)
class Poster:
    title: str            # the campaign's name
    organizer: str
    county: str           # the county's name
    label: str            # where it hangs or is shared (the channel's label)
    code: str             # the channel's code, printed small for tracking
    url: str
    closes: str           # local closing time as people read it, e.g. 2026年12月14日 18:00
    minutes: int          # estimated minutes to answer


def _font(posters: list[Poster]):
    """One font subset for every character these posters set."""
    return font_for(INVITATION, SCAN, CLOSES, ANONYMOUS, ORGANIZER,
                    *(f"{p.title}{p.organizer}{p.county}{p.label}{p.code}{p.url}{p.closes}{p.minutes}" for p in posters))


def render(posters: list[Poster], font=None) -> bytes:
    """One page per poster."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(20, 20, 20)
    pdf.set_auto_page_break(False)
    pdf.add_font("cjk", fname=str(font or _font(posters)))
    pdf.set_title(posters[0].title if posters else "")
    for poster in posters:
        _page(pdf, poster)
    return bytes(pdf.output())


def _page(pdf: FPDF, p: Poster) -> None:
    """Title, county, invitation, the QR code with its link, closing time; organizer at the foot."""
    pdf.add_page()
    pdf.set_fill_color(*ACCENT)
    pdf.rect(0, 0, pdf.w, 12, style="F")
    pdf.set_text_color(*INK)
    pdf.set_y(24)
    pdf.set_font("cjk", size=24)
    pdf.multi_cell(0, 11, p.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("cjk", size=40)
    pdf.set_text_color(*ACCENT)
    pdf.cell(0, 18, p.county, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 8.5, INVITATION.format(minutes=p.minutes), align="C", new_x="LMARGIN", new_y="NEXT")
    size = 105
    top = pdf.get_y() + 8
    pdf.image(io.BytesIO(qr_image(p.url, "png", box_size=12)), x=(pdf.w - size) / 2, y=top, w=size, h=size)
    pdf.set_y(top + size + 3)
    pdf.set_font("cjk", size=17)
    pdf.cell(0, 9, SCAN, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 6, p.url, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_text_color(*INK)
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 9, CLOSES.format(closes=p.closes), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 7, ANONYMOUS, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 26)
    pdf.set_draw_color(*MUTED)
    pdf.line(20, pdf.get_y(), pdf.w - 20, pdf.get_y())
    pdf.ln(3)
    pdf.set_font("cjk", size=11)
    pdf.cell(0, 6, ORGANIZER.format(organizer=p.organizer), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 5, f"{p.label} · {p.code}", align="C")


def render_each(posters: list[Poster], progress: Callable[[int], None] | None = None) -> list[bytes]:
    """A PDF per poster. They are set BATCH pages at a time in one document with one font subset, then
    split into one file per page (setting each poster as its own document costs six times as long);
    `progress` is told how many are done after each batch."""
    font = _font(posters)
    files: list[bytes] = []
    for start in range(0, len(posters), BATCH):
        batch = posters[start:start + BATCH]
        pages = PdfReader(io.BytesIO(render(batch, font))).pages
        files += [_one_page(page, poster) for page, poster in zip(pages, batch)]
        if progress:
            progress(len(files))
    return files


BATCH = 25


def _one_page(page, poster: Poster) -> bytes:
    writer = PdfWriter()
    writer.add_page(page)
    writer.add_metadata({"/Title": poster.title, "/Author": poster.organizer})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
