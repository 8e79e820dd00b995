"""The registers a list exports (用印登记簿, 台账, 三会一课登记): a small dialog asks for the
village, the period and the format (Word, or Excel as ``--xlsx``) as ``cunwu export
register|ledger|meetings`` does, then the file is built in the background by the same
``exports.documents`` function (``tui.screens.exporting``) and its place shown."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Label, Select, Static

from store.errors import BadInput
from store.records import parse_date
from store.seals import SEALS
from store.site import Site
from tui.screens.base import literal
from tui.screens.record_common import text_input
from tui.widgets import Dropdown

if TYPE_CHECKING:
    from tui.app import CunwuApp

EVERY = "*"
"""The drop-down value for 全部村 / 全部印章."""
WORD, XLSX = "docx", "xlsx"
FORMATS = (("Word", WORD), ("Excel（.xlsx）", XLSX))
"""The 格式 drop-down: Word first, the default."""


@dataclass(frozen=True, slots=True)
class Asked:
    """What the dialog was told: None where a field was not asked or means "all"."""

    village: str | None
    seal: str | None = None
    matter: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    year: int | None = None
    xlsx: bool = False
    """Excel (.xlsx) rather than Word."""


class ExportDialog(ModalScreen[Asked | None]):
    """Village (all of them when ``every_village``), optionally seal and matter, and either a
    period of dates or a year; Enter in a typed field or F8 exports, Escape cancels."""

    BINDINGS = [
        Binding("f8", "export", "导出", key_display="F8"),
        Binding("escape", "cancel", "取消", key_display="Esc"),
    ]

    def __init__(
        self,
        title: str,
        *,
        village: str = "",
        every_village: bool = False,
        seal: bool = False,
        matter: str | None = None,
        year: bool = False,
    ):
        super().__init__()
        self.title_text, self.village, self.every_village = title, village, every_village
        self.ask_seal, self.matter, self.ask_year = seal, matter, year

    @property
    def cunwu(self) -> CunwuApp:
        return cast("CunwuApp", self.app)

    def compose(self) -> ComposeResult:
        site, today = self.cunwu.site, self.cunwu.today
        villages = list(site.villages)
        every = self.every_village and len(villages) > 1 and len(villages) == len(site.settings.villages)
        options = ([("全部村", EVERY)] if every else []) + [(v, v) for v in villages]
        if self.village in villages:
            chosen: Any = self.village
        elif every:
            chosen = EVERY
        else:
            chosen = villages[0] if len(villages) == 1 else Select.NULL
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(literal(self.title_text), classes="dialog-title")
            yield Label(literal("村"))
            yield Dropdown(options, prompt="请选择村（回车展开）", value=chosen, id="village")
            if self.ask_seal:
                yield Label(literal("印章"))
                seals = [("全部印章", EVERY), *((s, s) for s in SEALS)]
                yield Dropdown(seals, allow_blank=False, value=EVERY, id="seal")
            if self.matter is not None:
                yield Label(literal("事项"))
                matters = [(f"{m.order}. {m.name}", m.id) for m in site.catalog.matters]
                known = {m.id for m in site.catalog.matters}
                yield Dropdown(
                    matters,
                    prompt="请选择事项（回车展开）",
                    value=self.matter if self.matter in known else Select.NULL,
                    id="matter",
                )
            # The format beside the year or the dates: one more row and the dialog of the seal
            # register (village, seal, dates) no longer fits 24 lines.
            with Horizontal(id="export-period"):
                if self.ask_year:
                    with Vertical():
                        yield Label(literal("年度"))
                        yield text_input(str(today.year), "如 2026", "year")
                else:
                    with Vertical():
                        yield Label(literal("起始日期"))
                        yield text_input(f"{today.year}-01-01", "2026-01-01", "start")
                    with Vertical():
                        yield Label(literal("截止日期"))
                        yield text_input(today.isoformat(), "2026-12-31", "end")
                with Vertical():
                    yield Label(literal("格式"))
                    yield Dropdown(FORMATS, allow_blank=False, value=WORD, id="format")
            yield Static(id="export-error")
            how = "年度写四位数，如 2026" if self.ask_year else "日期写成 2026-01-01"
            yield Label(literal(f"{how}；在输入框按回车或按 F8 导出，Esc 取消"), classes="dialog-hint")

    def on_mount(self) -> None:
        village = self.query_one("#village", Select)
        if village.value is Select.NULL:
            village.focus()
        else:
            self.query_one("#year" if self.ask_year else "#start", Input).focus()

    def chosen(self, selector: str) -> str | None:
        """A drop-down's value; None for 全部 or nothing chosen."""
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) and value != EVERY else None

    def asked(self) -> Asked:
        """The answers, checked: BadInput says what is wrong (nothing is exported then)."""
        village = self.chosen("#village")
        if village is None and self.query_one("#village", Select).value is Select.NULL:
            raise BadInput("请选择村：在村名框按回车展开，上下键选择")
        seal = self.chosen("#seal") if self.ask_seal else None
        matter = None
        if self.matter is not None:
            matter = self.chosen("#matter")
            if matter is None:
                raise BadInput("请选择事项：在事项框按回车展开，上下键选择")
        xlsx = self.query_one("#format", Select).value == XLSX
        if self.ask_year:
            text = self.query_one("#year", Input).value
            clean = unicodedata.normalize("NFKC", text).strip()
            if not clean.isdigit() or not 2000 <= int(clean) <= 2100:
                raise BadInput(f"年度“{text.strip()}”无效，请写四位数的年份，如 {self.cunwu.today.year}")
            return Asked(village, seal, matter, year=int(clean), xlsx=xlsx)
        start = parse_date(self.query_one("#start", Input).value, "起始日期")
        end = parse_date(self.query_one("#end", Input).value, "截止日期")
        if end < start:
            raise BadInput(f"截止日期 {end} 早于起始日期 {start}")
        return Asked(village, seal, matter, start, end, xlsx=xlsx)

    @on(Input.Submitted)
    def action_export(self) -> None:
        try:
            answer = self.asked()
        except BadInput as exc:
            self.query_one("#export-error", Static).update(literal(f"[未导出] {exc}"))
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)


def ask_and_export(
    screen: Screen[Any], dialog: ExportDialog, what: Callable[[Asked], str], make: Callable[[Site, Asked], Path]
) -> None:
    """Open ``dialog``; with its answers, build the document in the background."""
    from tui.screens.exporting import in_background

    def answered(asked: Asked | None) -> None:
        if asked is not None:
            label = what(asked) + ("（Excel）" if asked.xlsx else "")
            in_background(screen, label, lambda site: make(site, asked))

    screen.app.push_screen(dialog, answered)


def export_seal_register(screen: Screen[Any], village: str = "") -> None:
    """用印登记簿 of a village (or all) and a seal (or all) over a period."""
    app = cast("CunwuApp", screen.app)
    today = app.today

    def make(site: Site, a: Asked) -> Path:
        from exports.documents import export_register

        assert a.start is not None and a.end is not None
        name = site.cases.village(a.village) if a.village else None
        return export_register(site, name, a.seal, a.start, a.end, today, xlsx=a.xlsx, exported=app.now)

    def what(a: Asked) -> str:
        return f"{a.village or '全部村'}{a.seal or ''}用印登记簿（{a.start}至{a.end}）"

    dialog = ExportDialog("导出用印登记簿", village=village, every_village=True, seal=True)
    ask_and_export(screen, dialog, what, make)


def export_ledger(screen: Screen[Any], matter: str = "", village: str = "") -> None:
    """台账 of a matter's cases in a year, of a village (or all)."""
    app = cast("CunwuApp", screen.app)
    today = app.today

    def make(site: Site, a: Asked) -> Path:
        from exports.documents import export_ledger as write

        assert a.matter is not None and a.year is not None
        name = site.cases.village(a.village) if a.village else None
        return write(site, a.matter, a.year, name, today, xlsx=a.xlsx, exported=app.now)

    def what(a: Asked) -> str:
        name = app.site.catalog.get(a.matter).name if a.matter else ""
        return f"{a.village or '全部村'}{a.year}年{name}台账"

    dialog = ExportDialog("导出台账", village=village, every_village=True, matter=matter, year=True)
    ask_and_export(screen, dialog, what, make)


def export_meetings_register(screen: Screen[Any], village: str = "") -> None:
    """三会一课登记 of a village's year."""
    app = cast("CunwuApp", screen.app)
    today = app.today

    def make(site: Site, a: Asked) -> Path:
        from exports.documents import export_meetings

        assert a.village is not None and a.year is not None
        return export_meetings(site, site.cases.village(a.village), a.year, today, xlsx=a.xlsx, exported=app.now)

    def what(a: Asked) -> str:
        return f"{a.village}{a.year}年三会一课登记"

    ask_and_export(screen, ExportDialog("导出三会一课登记", village=village, year=True), what, make)
