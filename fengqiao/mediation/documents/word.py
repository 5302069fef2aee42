"""Word (.docx) rendering of a composed mediation document.

Laid out the way official documents are (GB/T 9704 habits): A4, 上3.7 下3.5 左2.8 右2.6 cm,
title in 方正小标宋简体 二号, body in 仿宋_GB2312 三号 on a fixed 28-point line. Word picks
the face for Chinese characters from `w:eastAsia` only (`run.font.name` sets the Latin
faces), so every run gets all three set explicitly; otherwise Chinese falls back to
whatever the reader's Word defaults to.
"""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from fengqiao.core.printing import set_run_fonts
from fengqiao.mediation.documents.layout import Layout, Line, Section, SignLine

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
LINE_PITCH = Pt(28)
INDENT = Pt(32)  # two characters of 三号
SIGN_SIZE = Pt(14)  # 四号: the longest label, 当事人（签名盖章或按指印）, fits its column
SIGN_LABEL_WIDTH, SIGN_SLOT_WIDTH, SIGN_DATE_WIDTH = Cm(7.1), Cm(4.6), Cm(3.9)
BLANK_DATE = "年\u3000\u3000月\u3000\u3000日"


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Length = BODY_SIZE,
    bold: bool = False,
    underline: bool = False,
) -> Run:
    run = paragraph.add_run(text)
    set_run_fonts(run, east_asia=font, latin=LATIN_FONT)
    run.font.size = size
    run.bold = bold
    run.underline = underline
    return run


def _paragraph(
    document: DocxDocument,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    keep: bool = False,
) -> Paragraph:
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = INDENT if indent else Pt(0)
    fmt.widow_control = True
    fmt.keep_with_next = keep
    return paragraph


def _line(document: DocxDocument, line: Line) -> None:
    paragraph = _paragraph(document)
    if line.lead:
        _run(paragraph, line.lead, bold=True)
    _run(paragraph, line.text)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A PAGE / NUMPAGES field, so Word numbers the pages itself."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        run = paragraph.add_run()
        set_run_fonts(run, east_asia=BODY_FONT, latin=LATIN_FONT)
        run.font.size = Pt(14)
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
        if kind == "separate":
            placeholder = paragraph.add_run("1")
            set_run_fonts(placeholder, east_asia=BODY_FONT, latin=LATIN_FONT)
            placeholder.font.size = Pt(14)


def _page_setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.5)
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, field in (("第 ", "PAGE"), (" 页 共 ", "NUMPAGES"), (" 页", None)):
        _run(footer, text, size=Pt(14))
        if field:
            _field(footer, field)


# pPr children that must follow w:pBdr (the schema fixes their order; Word refuses others)
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _bottom_border(paragraph: Paragraph) -> None:
    """The line to sign on: a rule under this paragraph only, not under the whole cell."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attribute, value in (
        ("w:val", "single"),
        ("w:sz", "6"),
        ("w:space", "1"),
        ("w:color", "000000"),
    ):
        bottom.set(qn(attribute), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def _cell_paragraph(cell: _Cell, *, align: WD_ALIGN_PARAGRAPH, first: bool = True) -> Paragraph:
    paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(0)
    fmt.keep_with_next = True
    fmt.keep_together = True
    return paragraph


def _signatures(document: DocxDocument, lines: tuple[SignLine, ...]) -> None:
    """A borderless table: label | the line to sign on (name under it) | date.

    A table keeps the lines aligned whatever the names' lengths; its rows do not split
    and its paragraphs keep with the next, so Word moves the block to a page whole.
    """
    table = document.add_table(rows=0, cols=3)
    table.autofit = False
    widths = (SIGN_LABEL_WIDTH, SIGN_SLOT_WIDTH, SIGN_DATE_WIDTH)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for line in lines:
        row = table.add_row()
        cant_split = OxmlElement("w:cantSplit")
        row._tr.get_or_add_trPr().append(cant_split)
        label, slot, date = row.cells
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
        label_paragraph = _cell_paragraph(label, align=WD_ALIGN_PARAGRAPH.LEFT)
        label_paragraph.paragraph_format.space_before = Pt(12)
        _run(label_paragraph, f"{line.label}：", size=SIGN_SIZE, bold=True)

        signature = _cell_paragraph(slot, align=WD_ALIGN_PARAGRAPH.CENTER)
        signature.paragraph_format.space_before = Pt(12)
        _run(signature, line.signature or "\u3000", size=SIGN_SIZE)
        _bottom_border(signature)
        if not line.signature:
            # the line stays empty for the hand signature; whose it is, printed small below
            _run(
                _cell_paragraph(slot, align=WD_ALIGN_PARAGRAPH.CENTER, first=False),
                line.name,
                size=Pt(9),
            )

        date_paragraph = _cell_paragraph(date, align=WD_ALIGN_PARAGRAPH.RIGHT)
        date_paragraph.paragraph_format.space_before = Pt(12)
        _run(date_paragraph, line.date or BLANK_DATE, size=SIGN_SIZE)


def render_docx(layout: Layout) -> bytes:
    document = Document()
    _page_setup(document)

    title = _paragraph(document, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, keep=True)
    title.paragraph_format.line_spacing = Pt(40)
    title.paragraph_format.space_after = Pt(12)
    _run(title, layout.title, font=TITLE_FONT, size=TITLE_SIZE, bold=True)
    if layout.number:
        number = _paragraph(document, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, keep=True)
        number.paragraph_format.space_after = Pt(12)
        _run(number, layout.number)

    for label, value in layout.header:
        _line(document, Line(value, lead=f"{label}："))

    for section in layout.before:
        _section(document, section)
    if layout.terms:
        intro = _paragraph(document, keep=True)
        _run(intro, layout.terms_intro)
        for term in layout.terms:
            paragraph = _paragraph(document)
            _run(paragraph, term.numeral)
            _run(paragraph, term.text)
    for section in layout.after:
        _section(document, section)
    if layout.closing:
        _run(_paragraph(document, keep=True), layout.closing)

    if layout.signatures:
        # as in the PDF: the signatures take the last paragraph of the text with them
        document.paragraphs[-1].paragraph_format.keep_with_next = True
        _signatures(document, layout.signatures)

    closing_lines = [text for text in (layout.issuer, layout.seal, layout.date) if text]
    for index, text in enumerate(closing_lines):
        last = index == len(closing_lines) - 1
        paragraph = _paragraph(
            document, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False, keep=not last
        )
        paragraph.paragraph_format.right_indent = INDENT
        if index == 0:
            paragraph.paragraph_format.space_before = Pt(28)
        _run(paragraph, text)

    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _section(document: DocxDocument, section: Section) -> None:
    if section.heading:
        heading = _paragraph(document, keep=True)
        _run(heading, f"{section.heading}：", font=HEADING_FONT)
    for line in section.lines:
        _line(document, line)
