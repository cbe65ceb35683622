"""The Lào Cai Department's 2022H1 report, as the demo keeps it, rendered by the generic
builder: the same document as the Department's, figure for figure."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

from django.test import SimpleTestCase
from docx import Document as open_document
from docx.document import Document

from vnemis.demo.report_text import laocai_report_2022h1
from vnemis.reports.documents.dx_semiannual import render_dx_semiannual


def read(content: bytes) -> Document:
    return open_document(io.BytesIO(content))


class LaoCaiReportTextTests(SimpleTestCase):
    """The narrative of the demo, numbered 7 and signed on 5 January 2025."""

    doc: Document

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        data = dataclasses.replace(laocai_report_2022h1(), date=dt.date(2025, 1, 5), number="7")
        cls.doc = read(render_dx_semiannual(data))

    def test_header_is_the_departments(self) -> None:
        header, _closing = self.doc.tables
        self.assertEqual(
            [p.text for p in header.cell(0, 0).paragraphs],
            ["UBND TỈNH LÀO CAI", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", ""],
        )
        self.assertEqual(header.cell(1, 0).text, "Số: 07/BC-SGDĐT")
        self.assertEqual(header.cell(1, 1).text, "Lào Cai, ngày 05 tháng 01 năm 2025")

    def test_body_is_the_reports_85_paragraphs(self) -> None:
        body = self.doc.paragraphs[3:]
        self.assertEqual(len(body), 85)
        self.assertTrue(body[0].text.startswith("Căn cứ văn bản số 616/STTTT-BCVTCNTT"))
        self.assertEqual(body[-1].text, "Sở Giáo dục và Đào tạo tỉnh Lào Cai trân trọng báo cáo./.")

    def test_figures_of_the_2022_report(self) -> None:
        lines = [p.text for p in self.doc.paragraphs]
        for expected in (
            "+ Tỷ lệ học sinh có học bạ điện tử: 168.652/228.322 học sinh, đạt 73,9%.",
            "+ Tỷ lệ trường học, cơ sở giáo dục triển khai sổ liên lạc điện tử: 168/612 trường "
            "(đạt 27,5%).",
            "+ Có 612/612 cơ sở giáo dục có kết nối internet; trong đó: 602 trường sử dụng mạng "
            "có dây; 10 trường sử dụng mạng 3G, 4G; 628/1.363 điểm trường (cấp Mầm non, Tiểu "
            "học) đang sử dụng mạng 3G, 4G; 413 điểm trường không có mạng.",
            "3.1.1. Tổng số nhiệm vụ được giao: 11 nhiệm vụ.",
            "- Số nhiệm vụ đã thực hiện: 10 nhiệm vụ.",
            "- Số nhiệm vụ chưa thực hiện: 01 nhiệm vụ.",
            "3.2.1. Tổng số nhiệm vụ được giao: 08 nhiệm vụ.",
            "- Số nhiệm vụ đang triển khai: 07 nhiệm vụ.",
            "- Duy trì tỷ lệ học sinh có học bạ điện tử: đạt 73,9%.",
        ):
            self.assertIn(expected, lines)
        full = "\n".join(lines)
        self.assertIn("+ 32,5% trường học đã cung cấp dịch vụ thanh toán học phí", full)
        self.assertIn("(có 3.218.695 người truy cập)", full)
        # The 2022 report's slip (168/612 printed as 24,4%) cannot come out of the data.
        self.assertNotIn("24,4%", full)
        self.assertNotIn("{", full)

    def test_recipients_and_signature(self) -> None:
        _header, closing = self.doc.tables
        self.assertEqual(
            [p.text for p in closing.cell(0, 0).paragraphs],
            [
                "Nơi nhận:",
                "- Sở TTTT (b/c);",
                "- Lãnh đạo Sở;",
                "- Các phòng của Sở;",
                "- Lưu: VT, GDTrH.",
            ],
        )
        self.assertEqual(
            [p.text for p in closing.cell(0, 1).paragraphs],
            ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Bình"],
        )

    def test_draft_leaves_the_number_and_the_day_blank(self) -> None:
        header = read(render_dx_semiannual(laocai_report_2022h1())).tables[0]
        self.assertEqual(header.cell(1, 0).text, "Số:      /BC-SGDĐT")
        self.assertEqual(header.cell(1, 1).text, "Lào Cai, ngày      tháng 6 năm 2022")
