"""Exports from the screens: the Word file is built in a worker thread and its path reported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.screen import Screen

from exports.documents import RECORD_KINDS
from store.errors import StoreError
from store.site import Site
from tui import refusals
from tui.dialogs import ChoiceDialog, MessageDialog


def in_background(screen: Screen[Any], what: str, make: Callable[[Site], Path]) -> None:
    """Build and write a document in a worker thread, on a Site with caches of its own
    (``Site.for_thread``), and say where it went or why it could not be written."""
    from tui.app import CunwuApp

    app = screen.app
    assert isinstance(app, CunwuApp)

    def build() -> None:
        try:
            path = make(app.site.for_thread())
        except StoreError as exc:
            app.call_from_thread(app.push_screen, MessageDialog("导出未完成", refusals.message(exc)))
        except (OSError, ValueError, KeyError) as exc:
            app.call_from_thread(app.push_screen, MessageDialog("导出未完成", f"写入文件时出错：{exc}"))
        else:
            app.call_from_thread(app.push_screen, MessageDialog("已导出", f"{what}已保存到：\n{path}"))

    app.notify(f"正在导出{what}…", markup=False)
    screen.run_worker(build, thread=True, name=f"export-{what}")


def export_record(screen: Screen[Any], number: str, kinds: list[str]) -> None:
    """Ask which document (when several) and export it for ``number`` in the background."""
    from tui.app import CunwuApp

    app = screen.app
    assert isinstance(app, CunwuApp)
    labels = [RECORD_KINDS[k] for k in kinds]

    def chosen(label: str | None) -> None:
        if label is None:
            return
        kind = kinds[labels.index(label)]
        today = app.today

        def make(site: Site) -> Path:
            from exports.documents import export_record as write

            return write(site, number, kind, today)

        in_background(screen, RECORD_KINDS[kind], make)

    if len(kinds) == 1:
        chosen(labels[0])
    else:
        app.push_screen(ChoiceDialog(f"导出 {number}", labels), chosen)
