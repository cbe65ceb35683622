"""A builder for administrative documents in the layout of Nghị định 30/2020/NĐ-CP.

Nghị định 30/2020/NĐ-CP, Phụ lục I, fixes how a Vietnamese administrative document looks: A4
portrait, Times New Roman in black, the agency and the national motto side by side at the top,
the place-and-date line in italics, the document type and summary (trích yếu) centred in bold,
a justified body, the signature block at the bottom right and the recipients ("Nơi nhận") at
the bottom left, and page numbers centred in the top margin from page 2 on. `Nd30Document`
writes those rules once, so a report module only says what the document contains.

The wording this module adds ("Nơi nhận:", "Số:", "Lưu: VT", the Quốc hiệu and Tiêu ngữ) is
the legally fixed wording of the document and therefore Vietnamese, not translatable UI text.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any, Final

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from vnemis.reports.numbers import BLANK_GAP

FONT: Final = "Times New Roman"
BLACK: Final = RGBColor(0, 0, 0)

PAGE_WIDTH: Final = Mm(210)
PAGE_HEIGHT: Final = Mm(297)
MARGIN_TOP: Final = Mm(20)
MARGIN_BOTTOM: Final = Mm(20)
MARGIN_LEFT: Final = Mm(30)
MARGIN_RIGHT: Final = Mm(15)
# The page number sits in the top margin: a 14 pt line from 10 mm clears the 20 mm margin.
HEADER_DISTANCE: Final = Mm(10)
FOOTER_DISTANCE: Final = Mm(10)
TEXT_WIDTH_MM: Final = 210 - 30 - 15

BODY_SIZE: Final = Pt(14)
BODY_FIRST_LINE_INDENT: Final = Cm(1.27)
BODY_SPACE_AFTER: Final = Pt(6)
BODY_LINE_SPACING: Final = 1.15

HEADER_SMALL_SIZE: Final = Pt(13)  # parent agency, agency, Quốc hiệu, number
RECIPIENTS_TITLE_SIZE: Final = Pt(12)
RECIPIENTS_SIZE: Final = Pt(11)

# Column widths in mm. "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in 13 pt bold Times New Roman is
# about 96 mm wide and "SỞ GIÁO DỤC VÀ ĐÀO TẠO" about 61 mm: both fit on one line only with
# these widths, which add up to the text width.
HEADER_COLUMNS_MM: Final = (64, 101)
CLOSING_COLUMNS_MM: Final = (80, 85)
# "Kính gửi:" right-aligned in the first column, so that the addressees' dashes of the second
# line up under its colon (Phụ lục I, II.9); the block sits a little left of the centre.
ADDRESSEES_COLUMNS_MM: Final = (55, 110)
# Rules under the headings, in mm. Phụ lục I: under the agency 1/3 to 1/2 of its name (61 mm),
# under the motto the motto's full width (60 mm), under the trích yếu 1/3 to 1/2 of the line.
AGENCY_RULE_MM: Final = 25
MOTTO_RULE_MM: Final = 60
SUMMARY_RULE_MM: Final = 55
# The gap left for the signature and the seal between the signer's position and name.
SIGNATURE_SPACE: Final = Pt(84)

# Element order inside <w:pPr> after <w:pBdr> (ECMA-376 CT_PPrBase): a border must be inserted
# before these, or Word reports the file as damaged.
_AFTER_PBDR: Final = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
# The same for <w:tblBorders> and <w:tblCellMar> inside <w:tblPr> (CT_TblPr).
_AFTER_TBLBORDERS: Final = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
_AFTER_TBLCELLMAR: Final = ("w:tblLook", "w:tblCaption", "w:tblDescription")
_AFTER_TBLW: Final = ("w:jc", "w:tblCellSpacing", "w:tblInd", *_AFTER_TBLBORDERS)


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph with its own emphasis, such as an italic citation in a heading."""

    text: str
    bold: bool = False
    italic: bool = False


# What a paragraph is made of: plain text, or spans with their own emphasis.
Text = str | Sequence[Span]


def document_number_line(number: str, symbol: str) -> str:
    """The number-and-symbol line: ("7", "BC-SGDĐT") → "Số: 07/BC-SGDĐT".

    An empty number leaves the gap a draft keeps for the number given on signing
    ("Số:      /BC-SGDĐT"). Phụ lục I pads numbers below 10 with a zero.
    """
    number = number.strip()
    if not number:
        return f"Số:{BLANK_GAP}/{symbol}"
    if number.isdigit():
        number = number.zfill(2)
    return f"Số: {number}/{symbol}"


def _insert_in_order(parent: Any, child: Any, successors: Sequence[str]) -> None:
    """Put `child` into `parent` before the first of `successors` present, else at the end."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


def _set_fonts(rfonts: Any) -> None:
    # Word picks the font per character class: w:ascii and w:hAnsi cover Latin with the
    # Vietnamese letters, w:eastAsia what Word classes as East Asian (on a computer set to an
    # East Asian language that includes quotes and some punctuation), w:cs complex scripts.
    # Theme attributes would override these names, so they go.
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(script), FONT)


def style_run(
    run: Run, *, size: Length = BODY_SIZE, bold: bool = False, italic: bool = False
) -> Run:
    """Give `run` the document font in black at `size`, with the emphasis asked for."""
    run.font.name = FONT
    _set_fonts(run._r.get_or_add_rPr().get_or_add_rFonts())
    run.font.size = size
    run.font.bold = bold
    run.font.italic = italic
    run.font.color.rgb = BLACK
    return run


def _spans(text: Text, *, bold: bool, italic: bool) -> Sequence[Span]:
    if isinstance(text, str):
        return [Span(text, bold=bold, italic=italic)]
    return [Span(s.text, bold=s.bold or bold, italic=s.italic or italic) for s in text]


def _fill(
    paragraph: Paragraph,
    text: Text,
    *,
    size: Length = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
) -> Paragraph:
    for span in _spans(text, bold=bold, italic=italic):
        style_run(paragraph.add_run(span.text), size=size, bold=span.bold, italic=span.italic)
    return paragraph


def _tight(paragraph: Paragraph, *, align: WD_ALIGN_PARAGRAPH) -> Paragraph:
    """Single-spaced with no gaps: the lines of the header and closing blocks stack closely."""
    fmt = paragraph.paragraph_format
    fmt.alignment = align
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Pt(0)
    return paragraph


def _rule(container: _Cell | Document, *, width_mm: float, within_mm: float) -> Paragraph:
    """A centred solid line `width_mm` long: the bottom border of an empty, narrow paragraph.

    A real border, not a row of box-drawing characters, so the line stays solid and keeps its
    length whatever font the reader's computer substitutes.
    """
    paragraph = container.add_paragraph()
    _tight(paragraph, align=WD_ALIGN_PARAGRAPH.CENTER)
    fmt = paragraph.paragraph_format
    side = Mm(max(within_mm - width_mm, 0) / 2)
    fmt.left_indent = side
    fmt.right_indent = side
    # An empty line 4 pt high: the border sits just under the text above, clear of its
    # descenders and of the dots under letters such as "Ụ".
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(4)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom", {qn("w:val"): "single", qn("w:sz"): "6", qn("w:space"): "1"})
    bottom.set(qn("w:color"), "000000")
    border.append(bottom)
    _insert_in_order(paragraph._p.get_or_add_pPr(), border, _AFTER_PBDR)
    return paragraph


def _borderless_table(document: Document, columns_mm: Sequence[int], *, rows: int = 1) -> Table:
    """A table without borders or cell padding, its columns `columns_mm` wide.

    The header and closing blocks sit side by side, which only a table keeps aligned in every
    word processor; without padding a column's text width is the column width.
    """
    table: Table = document.add_table(rows=rows, cols=len(columns_mm))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    width = OxmlElement("w:tblW", {qn("w:w"): str(Mm(sum(columns_mm)).twips), qn("w:type"): "dxa"})
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    _insert_in_order(tbl_pr, width, _AFTER_TBLW)
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(OxmlElement(f"w:{edge}", {qn("w:val"): "nil"}))
    _insert_in_order(tbl_pr, borders, _AFTER_TBLBORDERS)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("top", "left", "bottom", "right"):
        margins.append(OxmlElement(f"w:{edge}", {qn("w:w"): "0", qn("w:type"): "dxa"}))
    _insert_in_order(tbl_pr, margins, _AFTER_TBLCELLMAR)
    for column, width_mm in zip(table.columns, columns_mm, strict=True):
        column.width = Mm(width_mm)
        for cell in column.cells:
            cell.width = Mm(width_mm)
    # A row split across pages would separate a signer's position from the name.
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


def _field_char(paragraph: Paragraph, kind: str) -> None:
    """A field boundary (begin, separate or end) in a run of its own."""
    run = style_run(paragraph.add_run())
    run._r.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))


def _first_paragraph(cell: _Cell) -> Paragraph:
    # A new cell holds one empty paragraph; use it rather than leave a blank line on top.
    first: Paragraph = cell.paragraphs[0]
    return first


class Nd30Document:
    """An administrative document under construction in the Nghị định 30/2020 layout.

    Build it top to bottom: `header_block`, `title`, then `heading`, `paragraph`, `bullet`
    or `narrative` for the body, and `signature_and_recipients` last; then `save` or
    `to_bytes`. Every run is Times New Roman in black, sized as Phụ lục I asks.
    """

    def __init__(self) -> None:
        self.document: Document = new_document()
        self._set_defaults()
        self._set_page()
        self._add_page_numbers()

    # Page and defaults

    def _set_defaults(self) -> None:
        """Times New Roman 14 pt, Vietnamese, no paragraph gaps: the document-wide defaults.

        Runs also carry the font themselves; the defaults cover what a user types later.
        """
        styles = self.document.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is not None:
            r_pr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if r_pr is not None:
                fonts = r_pr.find(qn("w:rFonts"))
                if fonts is not None:
                    _set_fonts(fonts)
                for tag, value in (("w:sz", "28"), ("w:szCs", "28")):
                    found = r_pr.find(qn(tag))
                    if found is not None:
                        found.set(qn("w:val"), value)
                language = r_pr.find(qn("w:lang"))
                if language is not None:
                    # Spelling and hyphenation in Word follow the language, not the font.
                    language.set(qn("w:val"), "vi-VN")
            spacing = defaults.find(qn("w:pPrDefault") + "/" + qn("w:pPr") + "/" + qn("w:spacing"))
            if spacing is not None:
                spacing.set(qn("w:after"), "0")
                spacing.set(qn("w:line"), "240")
        normal = self.document.styles["Normal"]
        assert isinstance(normal, ParagraphStyle)
        font = normal.font
        font.name = FONT
        _set_fonts(normal.element.get_or_add_rPr().get_or_add_rFonts())
        font.size = BODY_SIZE
        font.color.rgb = BLACK

    def _set_page(self) -> None:
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width = PAGE_WIDTH
        section.page_height = PAGE_HEIGHT
        section.top_margin = MARGIN_TOP
        section.bottom_margin = MARGIN_BOTTOM
        section.left_margin = MARGIN_LEFT
        section.right_margin = MARGIN_RIGHT
        section.header_distance = HEADER_DISTANCE
        section.footer_distance = FOOTER_DISTANCE

    def _add_page_numbers(self) -> None:
        """A PAGE field centred in the header of every page but the first (Phụ lục I)."""
        section = self.document.sections[0]
        section.different_first_page_header_footer = True
        # An explicit empty first-page header, so page 1 never inherits the page number.
        section.first_page_header.is_linked_to_previous = False
        header = section.header
        header.is_linked_to_previous = False
        paragraph = _tight(header.paragraphs[0], align=WD_ALIGN_PARAGRAPH.CENTER)
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        # A complex field (begin, instruction, separate, result, end) rather than fldSimple:
        # each part is a run, so each carries the 14 pt Times New Roman formatting. The result
        # is a placeholder; word processors recompute PAGE on every page they lay out.
        _field_char(paragraph, "begin")
        instruction = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
        instruction.text = " PAGE "
        style_run(paragraph.add_run())._r.append(instruction)
        _field_char(paragraph, "separate")
        style_run(paragraph.add_run("2"))
        _field_char(paragraph, "end")

    # Header and title

    def header_block(
        self, *, parent_agency: str, agency: str, number_line: str, date_line: str
    ) -> Table:
        """The top block: agency and number on the left, Quốc hiệu, Tiêu ngữ and date right.

        `number_line` is what `document_number_line` returns; `date_line` what
        `numbers.vn_date_line` or `numbers.vn_date_line_blank` returns.
        """
        # Two rows: the second starts below the taller of the two heading stacks, so the
        # number and the date line share a line.
        table = _borderless_table(self.document, HEADER_COLUMNS_MM, rows=2)
        left, right = table.rows[0].cells
        number_cell, date_cell = table.rows[1].cells
        left_mm, right_mm = HEADER_COLUMNS_MM

        centre = WD_ALIGN_PARAGRAPH.CENTER
        _fill(
            _tight(_first_paragraph(left), align=centre),
            parent_agency.upper(),
            size=HEADER_SMALL_SIZE,
        )
        _fill(
            _tight(left.add_paragraph(), align=centre),
            agency.upper(),
            size=HEADER_SMALL_SIZE,
            bold=True,
        )
        _rule(left, width_mm=AGENCY_RULE_MM, within_mm=left_mm)
        number = _fill(
            _tight(_first_paragraph(number_cell), align=centre),
            number_line,
            size=HEADER_SMALL_SIZE,
        )
        number.paragraph_format.space_before = Pt(6)

        # Legally fixed wording: the national name and motto (Quốc hiệu and Tiêu ngữ).
        _fill(
            _tight(_first_paragraph(right), align=centre),
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            size=HEADER_SMALL_SIZE,
            bold=True,
        )
        _fill(
            _tight(right.add_paragraph(), align=centre),
            "Độc lập - Tự do - Hạnh phúc",
            size=BODY_SIZE,
            bold=True,
        )
        _rule(right, width_mm=MOTTO_RULE_MM, within_mm=right_mm)
        date = _fill(
            _tight(_first_paragraph(date_cell), align=centre),
            date_line,
            size=BODY_SIZE,
            italic=True,
        )
        date.paragraph_format.space_before = Pt(6)
        return table

    def title(self, kind: str, summary: str) -> None:
        """The document type in capitals ("BÁO CÁO") and the trích yếu under it, with a rule."""
        heading = _tight(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER)
        heading.paragraph_format.space_before = Pt(18)
        heading.paragraph_format.keep_with_next = True
        _fill(heading, kind.upper(), bold=True)
        line = _tight(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER)
        line.paragraph_format.keep_with_next = True
        _fill(line, summary, bold=True)
        rule = _rule(self.document, width_mm=SUMMARY_RULE_MM, within_mm=TEXT_WIDTH_MM)
        rule.paragraph_format.space_after = Pt(12)

    def addressees(self, names: Sequence[str]) -> None:
        """ "Kính gửi:" and the bodies a report or công văn is sent to for action, under the
        title (Phụ lục I, II.9.d): one on the same line, several one a line with "- " in
        front, ";" after each and "." after the last, the dashes under the colon."""
        cleaned = [name.strip().rstrip(";.").strip() for name in names if name.strip()]
        if not cleaned:
            return
        # Legally fixed wording ("Kính gửi").
        if len(cleaned) == 1:
            line = _tight(self.document.add_paragraph(), align=WD_ALIGN_PARAGRAPH.CENTER)
            line.paragraph_format.space_after = Pt(12)
            _fill(line, f"Kính gửi: {cleaned[0]}")
            return
        table = _borderless_table(self.document, ADDRESSEES_COLUMNS_MM)
        label, names_cell = table.rows[0].cells
        _fill(_tight(_first_paragraph(label), align=WD_ALIGN_PARAGRAPH.RIGHT), "Kính gửi: ")
        last = len(cleaned) - 1
        for number, name in enumerate(cleaned):
            paragraph = _first_paragraph(names_cell) if number == 0 else names_cell.add_paragraph()
            _fill(
                _tight(paragraph, align=WD_ALIGN_PARAGRAPH.LEFT),
                f"- {name}{'.' if number == last else ';'}",
            )
        # The body starts a line below the block, as it does below a title.
        self.document.add_paragraph().paragraph_format.space_after = Pt(0)

    # Body

    def _body(
        self, text: Text, *, indent: bool, bold: bool = False, italic: bool = False
    ) -> Paragraph:
        paragraph = self.document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.first_line_indent = BODY_FIRST_LINE_INDENT if indent else Pt(0)
        fmt.space_before = Pt(0)
        fmt.space_after = BODY_SPACE_AFTER
        fmt.line_spacing = BODY_LINE_SPACING
        fmt.widow_control = True
        return _fill(paragraph, text, bold=bold, italic=italic)

    def heading(self, text: Text, *, level: int = 1) -> Paragraph:
        """A section heading: "I. …" and "1. …" in bold, "1.1. …" in bold italics.

        Kept with the next paragraph, so a heading never ends a page.
        """
        if level not in (1, 2, 3):
            raise ValueError(f"heading levels are 1 to 3, not {level}")
        paragraph = self._body(text, indent=True, bold=True, italic=level == 3)
        paragraph.paragraph_format.keep_with_next = True
        return paragraph

    def paragraph(self, text: Text, *, indent: bool = True) -> Paragraph:
        """A body paragraph: 14 pt, justified, first line indented 1.27 cm unless told not to."""
        return self._body(text, indent=indent)

    def bullet(self, text: Text, level: int = 1) -> Paragraph:
        """A list item written as official texts write it: "- " at level 1, "+ " at level 2.

        The dash and plus are typed text rather than Word list numbering, as in the
        Department's own reports, so the document reads the same in every word processor.
        """
        prefixes = {1: "- ", 2: "+ "}
        if level not in prefixes:
            raise ValueError(f"bullet levels are 1 and 2, not {level}")
        first = prefixes[level]
        if isinstance(text, str):
            return self._body(first + text, indent=True)
        return self._body([Span(first), *text], indent=True)

    def narrative(self, text: str) -> list[Paragraph]:
        """Free text written by an officer, one body paragraph per block between blank lines.

        Line breaks inside a block are joined with a space. A one-line block numbered like
        "1." or "2.1." and ending in ":" ("1. Đánh giá chung:") is a heading, in bold.
        """
        paragraphs = []
        for block in split_blocks(text):
            if is_numbered_heading(block):
                paragraphs.append(self.heading(block, level=2))
            else:
                paragraphs.append(self.paragraph(block))
        return paragraphs

    # Closing

    def signature_and_recipients(
        self,
        *,
        recipients: Sequence[str],
        archive: str,
        authority: str,
        position: str,
        signer_name: str,
        archive_copies: int = 0,
        as_above: bool = False,
    ) -> Table:
        """The closing block: "Nơi nhận:" and its list left, the signature block right.

        `recipients` are names ("Sở TTTT (b/c)"); each is written "- X;" and a last line
        "- Lưu: VT, `archive`, `archive_copies`b." is added ("- Lưu: VT, GDTrH, 02b.";
        without a drafting unit or copies they are left out: "- Lưu: VT."). `as_above`, for
        a document with "Kính gửi", puts "- Như trên;" first. `authority` is the signing form
        ("KT. GIÁM ĐỐC", "TM. ỦY BAN NHÂN DÂN") or "" when the head signs; `position` the
        signer's own ("PHÓ GIÁM ĐỐC").
        """
        table = _borderless_table(self.document, CLOSING_COLUMNS_MM)
        left, right = table.rows[0].cells

        # Legally fixed wording of the recipients block ("Nơi nhận", "Lưu: VT").
        title = _tight(_first_paragraph(left), align=WD_ALIGN_PARAGRAPH.LEFT)
        _fill(title, "Nơi nhận:", size=RECIPIENTS_TITLE_SIZE, bold=True, italic=True)
        title.paragraph_format.space_before = Pt(6)
        names = [name.strip().rstrip(";.").strip() for name in recipients if name.strip()]
        if as_above and (not names or names[0].lower() != "như trên"):
            names.insert(0, "Như trên")
        lines = [f"- {name};" for name in names]
        kept = ["VT", archive.strip().rstrip(".").strip()]
        if archive_copies:
            # Copies as offices write them: two-digit count and "b" for bản.
            kept.append(f"{archive_copies:02d}b")
        lines.append(f"- Lưu: {', '.join(part for part in kept if part)}.")
        for line in lines:
            _fill(
                _tight(left.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT),
                line,
                size=RECIPIENTS_SIZE,
            )

        centre = WD_ALIGN_PARAGRAPH.CENTER
        capitals = [line.upper() for line in (authority, position) if line.strip()]
        if not capitals:
            raise ValueError("a signature block needs the signer's position")
        first = _tight(_first_paragraph(right), align=centre)
        first.paragraph_format.space_before = Pt(6)
        _fill(first, capitals[0], bold=True)
        for line in capitals[1:]:
            _fill(_tight(right.add_paragraph(), align=centre), line, bold=True)
        name = _fill(_tight(right.add_paragraph(), align=centre), signer_name, bold=True)
        name.paragraph_format.space_before = SIGNATURE_SPACE
        return table

    # Output

    def save(self, target: str | os.PathLike[str] | IO[bytes]) -> None:
        """Write the DOCX to a path or a binary stream."""
        self.document.save(os.fspath(target) if isinstance(target, os.PathLike) else target)

    def to_bytes(self) -> bytes:
        """The DOCX file's content."""
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def split_blocks(text: str) -> list[str]:
    """The paragraphs of a free text: blocks between blank lines, inner line breaks as spaces."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def is_numbered_heading(block: str) -> bool:
    """Whether a block is a numbered sub-heading such as "1. Đánh giá chung:" or "2.1. Về …:"."""
    number, _, rest = block.partition(" ")
    parts = number.split(".")
    return (
        block.endswith(":")
        and bool(rest)
        and number.endswith(".")
        and all(part.isdigit() for part in parts[:-1])
        and parts[-1] == ""
    )
