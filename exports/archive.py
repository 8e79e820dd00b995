"""归档卷宗 of a case, following DA/T 22-2015 (rules-and-formats C2).

The file: a cover (案卷题名, 立卷单位, 档号 全宗号-年度-保管期限-机构(问题)代码-件号, 起止日期,
保管期限, 办件状态); the 归档文件目录 (the case record, then every linked minute, notice and
seal use); the step-by-step record with forced completions and the steps not done; the
materials checklist; a summary of the linked minutes and notices (their full documents are
exported separately); and the 备考表. Dates in the catalogue are YYYYMMDD; ID numbers masked.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from exports import style
from exports.minutes import attendance, shown
from exports.notice import issuer, period_text
from exports.registers import table
from procedures.engine import STATUS_LABELS
from procedures.model import Matter
from store.errors import NotFound
from store.identity import who_did
from store.meetings import STATES
from store.notices import masked

if TYPE_CHECKING:
    from docx.document import Document

    from store.cases import Case
    from store.site import Site

BLANK = "________"
NO_FONDS = "（未设全宗号）"
RETENTION_WORDS = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}
CATALOGUE = ["序号", "档号", "文号", "责任者", "题名", "日期", "页数", "备注"]
STEPS = ["序号", "步骤", "经办人", "开始", "完成", "办理结果", "备注"]
KIND_WORDS = {"meeting": "会议记录", "notice": "公示", "seal": "用印登记"}
NOT_DONE = {"active": "办理中", "pending": "未办理", "skipped": "未经过"}


def ymd(text: object) -> str:
    """2026-11-27 (or 2026-11-27T09:00) → 20261127, as DA/T 22 writes dates."""
    return str(text or "")[:10].replace("-", "")


def archive_code(site: Site, case: Case) -> str:
    """档号: 全宗号-年度-保管期限-机构(问题)代码-件号, e.g. J001-2026-D30-城关村-0001."""
    seq = int(case.number.rsplit("-", 1)[-1])
    retention = site.settings.retention_for(case.matter_id)
    return f"{site.settings.fonds or NO_FONDS}-{case.record['year']}-{retention}-{case.village}-{seq:04d}"


def _last_finished(case: Case) -> str:
    history = case.record["history"]
    return max((h["finished"] for h in history), default="")


def _status(matter: Matter, case: Case) -> str:
    text = STATUS_LABELS[case.status]
    current = case.record["current"]
    return f"{text}（当前步骤：{_title(matter, current)}）" if current else text


def _title(matter: Matter, step_id: str) -> str:
    try:
        return matter.step(step_id).title
    except KeyError:
        return step_id


def _linked(site: Site, case: Case) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(number, kind, record) of every record linked to the case; record None when it is missing."""
    out: list[tuple[str, str, dict[str, Any] | None]] = []
    for number in case.records():
        try:
            kind, record = site.linked(number)
        except NotFound:
            out.append((number, "", None))
            continue
        out.append((number, kind, masked(record) if kind == "notice" else record))
    return out


def _cover(site: Site, doc: Document, matter: Matter, case: Case) -> None:
    retention = site.settings.retention_for(case.matter_id)
    last = _last_finished(case)
    rows = [
        ["案卷题名", f"{matter.name}（{shown(case.subject)}）"],
        ["立卷单位", f"{site.settings.township}{case.village}"],
        ["档号", archive_code(site, case)],
        ["全宗号", site.settings.fonds or NO_FONDS],
        ["年度", str(case.record["year"])],
        ["保管期限", RETENTION_WORDS.get(retention, retention)],
        ["机构（问题）", case.village],
        ["起止日期", f"{ymd(case.record['opened_on'])}—{ymd(last)}"],
        ["办件编号", case.number],
        ["办件状态", _status(matter, case)],
    ]
    style.title(doc, "归档卷宗")
    table(doc, ["项目", "内容"], rows, [40, 116], style.SIZE_TABLE)


def _catalogue(site: Site, doc: Document, matter: Matter, case: Case, linked: list[Any]) -> None:
    code, who = archive_code(site, case), issuer(case.village, matter)
    rows = [["1", code, case.number, who, f"[{matter.name}办件记录（{shown(case.subject)}）]"]]
    rows[0] += [ymd(case.record["opened_on"]), "", "办件记录"]
    for index, (number, kind, record) in enumerate(linked, 2):
        if record is None:
            rows.append([str(index), code, number, who, "（未找到该记录）", "", "", ""])
            continue
        if kind == "meeting":
            title, day = shown(record["title"]), record["start"]
            note = f"会议记录（{STATES.get(record.get('state', ''), '')}）"
        elif kind == "notice":
            title, day, note = record["title"], record["posted_on"], "公示"
        else:
            title, day, note = shown(record["document"]), record["date"], f"用印登记（{record['seal']}）"
        rows.append([str(index), code, number, who, title, ymd(day), "", note])
    style.title(doc, "归档文件目录")
    table(doc, CATALOGUE, rows, [8, 30, 22, 18, 31, 21, 9, 17])


def _history(site: Site, doc: Document, matter: Matter, case: Case) -> None:
    rows = []
    for index, h in enumerate(case.record["history"], 1):
        notes = [f"强制完成：{shown(h['forced_reason'])}"] if h.get("forced_reason") else []
        notes += [shown(h["note"])] if h.get("note") else []
        notes += [f"关联：{'、'.join(h['records'])}"] if h.get("records") else []
        row = [str(index), _title(matter, h["step_id"]), who_did(h), ymd(h["started"])]
        rows.append([*row, ymd(h["finished"]), h.get("outcome", ""), "\n".join(notes)])
    done = {h["step_id"] for h in case.record["history"]}
    for step_id, state in case.step_states(matter):
        if step_id in done or state not in NOT_DONE:
            continue
        since = ymd(case.record["current_since"]) if state == "active" else ""
        rows.append(["—", _title(matter, step_id), "", since, "", NOT_DONE[state], ""])
    style.heading(doc, "一、办理过程")
    table(doc, STEPS, rows, [8, 26, 16, 21, 21, 22, 42])


def _materials(doc: Document, matter: Matter, case: Case) -> None:
    received: dict[str, set[str]] = {}
    for h in case.record["history"]:
        received.setdefault(h["step_id"], set()).update(h.get("materials") or [])
    rows: list[list[str]] = []
    for step in matter.steps:
        for item in step.materials:
            mark = "已收" if item in received.get(step.id, set()) else "未收"
            rows.append([str(len(rows) + 1), step.title, item, mark])
    style.heading(doc, "二、材料清单")
    if rows:
        table(doc, ["序号", "步骤", "材料", "收取情况"], rows, [12, 44, 80, 20])
    else:
        style.body(doc, "本事项流程未列明须收取的材料。")


def _summaries(doc: Document, linked: list[Any]) -> None:
    style.heading(doc, "三、会议记录、公示和用印摘要")
    style.body(doc, "（会议记录、公示全文另行导出，随卷归档。）")
    if not linked:
        style.body(doc, "本办件没有关联的会议记录、公示或用印登记。")
    for number, kind, record in linked:
        if record is None:
            style.body(doc, f"{number}：未找到该记录，请核对。")
        elif kind == "meeting":
            day = style.cn_date(dt.datetime.fromisoformat(record["start"]).date())
            state = STATES.get(record.get("state", ""), "")
            style.body(doc, f"{number}　{shown(record['title'])}（{record['kind']}，{day}，{state}）")
            style.body(doc, attendance(record))
            for i, item in enumerate(record.get("items") or [], 1):
                line = f"议题{i}：{shown(item['title'])}；{item.get('arithmetic') or '未表决'}"
                if item.get("resolution"):
                    line += f"；决议：{shown(item['resolution'])}"
                style.body(doc, line + ("（未通过）" if item.get("passed") is False else ""))
        elif kind == "notice":
            objections = record.get("objections") or []
            style.body(doc, f"{number}　{record['title']}（公示）")
            style.body(doc, period_text(record))
            result = record.get("result") or "公示尚未结束"
            style.body(doc, f"公示结果：{result}；收到异议 {len(objections)} 条")
            for i, o in enumerate(objections, 1):
                handling = shown(o.get("handling")) or "未登记"
                style.body(
                    doc, f"异议{i}：{shown(o.get('from'))}（{o.get('received', '')}）：{o['content']}；处理：{handling}"
                )
        else:
            text = f"{number}　用印：{record['seal']}印章，{shown(record['document'])}，{record['copies']}份，"
            style.body(doc, text + f"批准人{shown(record['approver'])}，保管人{shown(record['keeper'])}")


def _notes(doc: Document, case: Case, matter: Matter, linked: list[Any], today: dt.date) -> None:
    history = case.record["history"]
    states = dict(case.step_states(matter))
    forced = sum(1 for h in history if h.get("forced_reason"))
    kinds = [kind for _, kind, _ in linked]
    parts = "，".join(f"{w} {kinds.count(k)} 件" for k, w in KIND_WORDS.items() if k in kinds)
    text = f"本卷共有文件 {1 + len(linked)} 件（办件记录 1 件{'，' + parts if parts else ''}）。"
    text += f"办理步骤已完成 {len(history)} 步"
    open_steps = sum(1 for s in states.values() if s in ("active", "pending"))
    text += f"，尚未办理 {open_steps} 步" if open_steps else ""
    text += f"，其中强制完成 {forced} 步（理由见办理过程）。" if forced else "。"
    style.title(doc, "备考表")
    style.body(doc, "本卷情况说明：", indent=False)
    style.body(doc, text)
    doc.add_paragraph()
    for line in (f"立卷人：{BLANK}", f"检查人：{BLANK}", f"立卷时间：{style.cn_date(today)}"):
        style.body(doc, line, indent=False)


def archive_document(site: Site, number: str, today: dt.date) -> Document:
    """The 归档卷宗 of case ``村名-年份-序号``: cover, 归档文件目录, process, materials, summaries, 备考表."""
    case = site.cases.get(number)
    matter = site.catalog.get(case.matter_id)
    linked = _linked(site, case)
    doc = style.new_document()
    _cover(site, doc, matter, case)
    style.page_break(doc)
    _catalogue(site, doc, matter, case, linked)
    style.page_break(doc)
    style.title(doc, f"{matter.name}办件记录")
    style.body(doc, f"办件编号：{case.number}　事由：{shown(case.subject)}", indent=False)
    _history(site, doc, matter, case)
    _materials(doc, matter, case)
    _summaries(doc, linked)
    style.page_break(doc)
    _notes(doc, case, matter, linked, today)
    style.hold_sign_off(doc)
    return doc
