"""Text captures of the app at 80×24 for the README: home and the case screen, as the real app
shows them in a terminal (TERM=xterm, read through a terminal emulator) on the sample data.

Run by hand from the checkout: ``.venv/bin/python -m tests.capture_screens``; it writes
docs/screens/home.txt and docs/screens/case.txt. The app runs on today's clock, so the dates
and the "days left" on home are those of the day it is run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.samples import build
from tests.test_first_hour import ROOT, Cadre, start_app

OUT = ROOT / "docs" / "screens"


def capture(out: Path = OUT) -> dict[str, str]:
    """Write home.txt and case.txt into ``out``; return the two screens."""
    screens: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        _, numbers = build(data)
        dibao = numbers["dibao"]
        term = start_app(data)
        me = Cadre(term)
        try:
            home = me.expect("村务履职 — 沁河镇", dibao, "F10 退出")
            screens["home"] = home
            rows = home.splitlines()
            table = rows.index(next(r for r in rows if r.lstrip().startswith("状态")))
            target = next(i for i, r in enumerate(rows) if dibao in r)
            me.press(*["Down"] * (target - table - 1), "Enter")
            screens["case"] = me.expect(f"村务履职 — {dibao}", "事由：", "F8/x 导出")
            me.press("F10")
            term.exit_code()
        finally:
            term.close()
    out.mkdir(parents=True, exist_ok=True)
    for name, text in screens.items():
        (out / f"{name}.txt").write_text(text + "\n", encoding="utf-8")
    return screens


if __name__ == "__main__":
    for name, text in capture().items():
        sys.stdout.write(f"--- {name}\n{text}\n")
