"""Exports from the screens: the Word file is built in a worker thread and its path reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.screen import Screen

from exports.documents import RECORD_KINDS
from store.errors import StoreError
from tui.dialogs import ChoiceDialog, MessageDialog


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

        def build() -> None:
            from exports.documents import export_record as write

            try:
                path: Path = write(app.site, number, kind, today)
            except StoreError as exc:
                app.call_from_thread(app.push_screen, MessageDialog("导出未完成", str(exc)))
            except (OSError, ValueError, KeyError) as exc:
                app.call_from_thread(app.push_screen, MessageDialog("导出未完成", f"写入文件时出错：{exc}"))
            else:
                app.call_from_thread(
                    app.push_screen, MessageDialog("已导出", f"{RECORD_KINDS[kind]}已保存到：\n{path}")
                )

        app.notify(f"正在导出{label}…", markup=False)
        screen.run_worker(build, thread=True, name=f"export-{kind}")

    if len(kinds) == 1:
        chosen(labels[0])
    else:
        app.push_screen(ChoiceDialog(f"导出 {number}", labels), chosen)
