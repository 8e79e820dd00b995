"""Where LibreOffice is installed: every document kind converts to a PDF with pages and its text.

Skipped, with the reason shown, on machines without ``soffice`` (install
``libreoffice-writer-nogui fonts-noto-cjk poppler-utils`` to run it).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from exports import documents
from tests.sites import NOW, new_site, post_notice, walk_to

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.skipif(
    not (SOFFICE and PDFTOTEXT), reason="LibreOffice (soffice) 或 pdftotext 未安装：跳过 PDF 转换检查"
)


def to_pdf(docx: Path, tmp: Path) -> str:
    profile = tmp / "lo-profile"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp / (docx.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
    return subprocess.run([str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.timeout(600)
def test_every_document_kind_converts_to_pdf(tmp_path: Path) -> None:
    site = new_site(tmp_path / "data")
    number = site.cases.open(site.operator, NOW, "dibao", "城关村", "王某某低保申请").number
    walk_to(site, number, "publicize")
    notice = post_notice(
        site,
        number,
        entries=[{"name": "王某某", "id_number": "11010519491231002X", "household": "3", "amount": "500元"}],
    )
    meeting = site.meetings.new(
        site.operator,
        NOW,
        "城关村",
        {"kind": "村民代表会议", "title": "民主评议", "start": "2026-11-27 09:00", "host": "李书记", "recorder": "王文书",
         "expected": 39, "present": 26, "items": [{"title": "评议王某某低保申请", "vote": {"ayes": 14, "nays": 9, "abstain": 3}}]},
    )  # fmt: skip
    site.seals.new(
        site.operator,
        NOW,
        "城关村",
        {
            "seal": "村委会",
            "document": "证明",
            "purpose": "上报",
            "approver": "李书记",
            "keeper": "王文书",
            "routine": True,
        },
    )
    today = dt.date(2026, 11, 27)
    out = tmp_path / "out"
    made = {
        "archive": documents.export_record(site, number, "archive", today, out),
        "notice": documents.export_record(site, notice["number"], "notice", today, out),
        "notice-result": documents.export_record(site, notice["number"], "notice-result", today, out),
        "minutes": documents.export_record(site, meeting["number"], "minutes", today, out),
        "blank-minutes": documents.export_record(site, meeting["number"], "blank-minutes", today, out),
        "register": documents.export_register(
            site, "城关村", "村委会", dt.date(2026, 1, 1), dt.date(2026, 12, 31), today, out
        ),
        "ledger": documents.export_ledger(site, "dibao", 2026, None, today, out),
        "meetings": documents.export_meetings(site, "城关村", 2026, today, out),
        "supervision": documents.export_supervision(
            site, "城关村", dt.date(2026, 1, 1), dt.date(2026, 12, 31), today, out
        ),
    }
    expected = {
        "archive": "归档文件目录",
        "notice": "2026年12月4日",
        "notice-result": "公示",
        "minutes": "26/应到39",
        "blank-minutes": "签到",
        "register": "用印",
        "ledger": "台账",
        "meetings": "支委会",
        "supervision": "日志核验",
    }
    for kind, path in made.items():
        text = "".join(to_pdf(path, tmp_path).split())
        assert expected[kind] in text, kind
        assert "11010519491231002X" not in text
