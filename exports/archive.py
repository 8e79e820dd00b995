"""The 归档文件 of a case, following DA/T 22-2015《归档文件整理规则》 (rules-and-formats C2).

DA/T 22-2015 files by the 件 (piece) and boxes them (盒), not by the 卷: the case record and
each linked minute, notice and seal use are one 件 each, with a 档号 of their own,
全宗号-门类代码·年度-保管期限-机构（问题）代码-件号. 件号 run from 0001 without gaps within one
village, year and 保管期限, across every matter (``numbering``). The file: a cover (题名, 档号 of
every 件, 起止日期, 办件状态, which codes are defaults); the 归档文件目录 in landscape (序号, 档号,
文号 — only a real 发文字号, never a record number —, 责任者, 题名, 日期, 密级, 页数, 备注); the
step-by-step record; the materials checklist; summaries of the linked records (their full
documents are exported separately); every step reopened, the withdrawal or termination and
every 事由 corrected, with who, when and why; and the 备考表 with 整理人, 检查人 and 检查日期. Dates in the
catalogue are YYYYMMDD; ID numbers masked.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from exports import style
from exports.minutes import attendance, shown
from exports.notice import issuer, period_text
from exports.registers import landscape, portrait, table
from procedures.engine import STATUS_LABELS
from procedures.model import Matter
from store import amendments
from store.amendments import describe
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
CATEGORY_WORDS = {"WS": "文书"}
CATALOGUE = ["序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注"]
"""The columns of DA/T 22-2015's 归档文件目录."""
CATALOGUE_WIDTHS: list[float] = [10, 58, 20, 28, 50, 18, 10, 10, 21]
"""mm, ``LANDSCAPE_WIDTH`` in all: a whole 档号 (village name as 机构代码) on one line."""
STEPS = ["序号", "步骤", "经办人", "开始", "完成", "办理结果", "备注"]
KIND_WORDS = {"meeting": "会议记录", "notice": "公示", "seal": "用印登记"}
NOT_DONE = {"active": "办理中", "pending": "未办理", "skipped": "未经过"}


def ymd(text: object) -> str:
    """2026-11-27 (or 2026-11-27T09:00) → 20261127, as DA/T 22 writes dates."""
    return str(text or "")[:10].replace("-", "")


def _items(case: Case) -> int:
    """How many 件 a case files: its record and every linked record."""
    return 1 + len(case.records())


def numbering(site: Site, case: Case) -> tuple[int, bool]:
    """The 件号 of the case's first 件, and whether it is provisional (the case or one filed
    before it is still open). 件号 run on without gaps through the cases of the village with
    the same year and 保管期限, whatever their matter (DA/T 22-2015: 件号 within the lowest
    class): finished cases by the day they finished, then open ones by the day they opened."""
    year, retention = case.record["year"], site.settings.retention_for(case.matter_id)
    peers = [
        c
        for c in site.cases.find(village=case.village)
        if c.record["year"] == year and site.settings.retention_for(c.matter_id) == retention
    ]

    def order(c: Case) -> tuple[int, str, str]:
        closed = _last_finished(c) if not c.record["current"] else ""
        return (0, closed, c.number) if closed else (1, str(c.record["opened_on"]), c.number)

    peers.sort(key=order)
    first = 1
    for peer in peers:
        if peer.number == case.number:
            return first, bool(peer.record["current"])
        first += _items(peer)
    return first, True  # not found among its peers (a record read another way): numbered last


def archive_code(site: Site, case: Case, piece: int) -> str:
    """档号 of 件号 ``piece``: 全宗号-门类代码·年度-保管期限-机构（问题）代码-件号 (DA/T 22-2015),
    e.g. J047-WS·2026-Y-CGC-0001."""
    settings = site.settings
    retention = settings.retention_for(case.matter_id)
    head = f"{settings.fonds or NO_FONDS}-{settings.category_code()}·{case.record['year']}"
    return f"{head}-{retention}-{settings.unit_for(case.village)}-{piece:04d}"


def defaults_note(site: Site, village: str) -> str:
    """Which 档号 codes are not set and what stands in for them ("" when all are set)."""
    settings, parts = site.settings, []
    if not settings.fonds:
        parts.append(f"全宗号未设置，档号中写作“{NO_FONDS}”，请向县档案馆申领后补填")
    if not settings.category:
        parts.append(f"门类代码未设置，暂用 {settings.category_code()}（文书，DA/T 22-2015 档号示例所用）")
    if village not in settings.units:
        parts.append(f"机构（问题）代码未设置，暂用村名“{village}”")
    if not parts:
        return ""
    return "注：" + "；".join(parts) + "。由管理员在设置中填写全宗号、门类代码和机构代码。"


def _last_finished(case: Case) -> str:
    """The day the case closed (withdrawn or terminated that day, or its last step finished);
    while it is open, the day its last step was finished."""
    history = case.record["history"]
    return case.closed_on or max((h["finished"] for h in history), default="")


def _status(matter: Matter, case: Case) -> str:
    text = STATUS_LABELS[case.status]
    current = case.record["current"]
    if current:
        return f"{text}（当前步骤：{_title(matter, current)}）"
    closing = [a for a in case.amendments if a.get("kind") in ("withdraw", "terminate")]
    if closing:
        last = closing[-1]
        how = amendments.KIND_WORDS[last["kind"]][:2]
        return f"{text}（{str(last['at'])[:10]} 由 {who_did(last)} {how}，理由见“四、更正记录”）"
    return text


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


def _cover(site: Site, doc: Document, matter: Matter, case: Case, first: int, provisional: bool) -> None:
    retention = site.settings.retention_for(case.matter_id)
    last = _last_finished(case)
    count = _items(case)
    pieces = f"{first:04d}—{first + count - 1:04d}（共 {count} 件）" if count > 1 else f"{first:04d}（共 1 件）"
    category = site.settings.category_code()
    rows = [
        ["题名", f"{matter.name}（{shown(case.subject)}）"],
        ["归档单位", f"{site.settings.township}{case.village}"],
        ["首件档号", archive_code(site, case, first)],
        ["全宗号", site.settings.fonds or NO_FONDS],
        ["门类", f"{CATEGORY_WORDS.get(category, category)}（{category}）"],
        ["年度", str(case.record["year"])],
        ["保管期限", f"{RETENTION_WORDS.get(retention, retention)}（{retention}）"],
        ["机构（问题）", site.settings.unit_for(case.village)],
        ["件号", pieces + ("（办件未办结，件号为暂编）" if provisional else "")],
        ["盒号", "（装盒时填写）"],
        ["起止日期", f"{ymd(case.record['opened_on'])}—{ymd(last)}"],
        ["办件编号", case.number],
        ["办件状态", _status(matter, case)],
    ]
    style.title(doc, "办件归档文件")
    table(doc, ["项目", "内容"], rows, [40, 116], style.SIZE_TABLE)
    note = defaults_note(site, case.village)
    if note:
        style.body(doc, note, indent=False)


def _catalogue(
    site: Site, doc: Document, matter: Matter, case: Case, linked: list[Any], first: int, provisional: bool
) -> None:
    who = issuer(case.village, matter)
    record = f"[{matter.name}办件记录（{shown(case.subject)}）]"
    rows = [["1", archive_code(site, case, first), "", who, record, ymd(case.record["opened_on"]), "", ""]]
    rows[0].append(f"办件记录；办件编号 {case.number}")
    for index, (number, kind, item) in enumerate(linked, 2):
        code = archive_code(site, case, first + index - 1)
        if item is None:
            rows.append([str(index), code, "", who, "（未找到该记录）", "", "", "", f"编号 {number}"])
            continue
        if kind == "meeting":
            title, day = shown(item["title"]), item["start"]
            note = f"会议记录（{STATES.get(item.get('state', ''), '')}）"
        elif kind == "notice":
            title, day, note = item["title"], item["posted_on"], "公示"
        else:
            title, day, note = shown(item["document"]), item["date"], f"用印登记（{item['seal']}）"
        # 文号 is a 发文字号 (DA/T 22-2015); the records have none, so it stays blank and the
        # record's number goes to 备注.
        rows.append([str(index), code, "", who, title, ymd(day), "", "", f"{note}；编号 {number}"])
    landscape(doc)
    style.title(doc, "归档文件目录")
    retention = site.settings.retention_for(case.matter_id)
    head = (
        f"全宗号：{site.settings.fonds or NO_FONDS}　门类：{site.settings.category_code()}　年度：{case.record['year']}"
    )
    head += (
        f"　保管期限：{RETENTION_WORDS.get(retention, retention)}　机构（问题）：{site.settings.unit_for(case.village)}"
    )
    style.body(doc, head, indent=False)
    table(doc, CATALOGUE, rows, CATALOGUE_WIDTHS)
    tail = "文号栏只填发文字号，没有发文字号的不填；密级栏按文件标注填写，未标密级的不填；页数在装订时填写。"
    if provisional:
        tail += "办件尚未办结（或此前有未办结的办件），件号为暂编，归档时以办结后重新导出的为准。"
    style.body(doc, tail, indent=False)
    portrait(doc)


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
    style.body(doc, "（会议记录、公示全文另行导出，各为一件，一并归档。）")
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


AMENDMENTS = ["序号", "日期", "经办人", "事项", "理由"]


def _amendments(doc: Document, matter: Matter, case: Case) -> None:
    """Every step reopened, the withdrawal or termination, every 事由 corrected: when, who, why."""
    style.heading(doc, "四、更正记录（重开步骤、撤回、终止、更正事由）")
    rows = [
        [str(i), str(a["at"])[:16].replace("T", " "), who_did(a), shown(describe(a, matter)), shown(a.get("reason"))]
        for i, a in enumerate(case.amendments, 1)
    ]
    if rows:
        table(doc, AMENDMENTS, rows, [10, 26, 18, 60, 42])
    else:
        style.body(doc, "本办件没有重开步骤、撤回、终止或更正事由。")


def _notes(doc: Document, case: Case, matter: Matter, linked: list[Any], today: dt.date) -> None:
    history = case.record["history"]
    states = dict(case.step_states(matter))
    forced = sum(1 for h in history if h.get("forced_reason"))
    kinds = [kind for _, kind, _ in linked]
    parts = "，".join(f"{w} {kinds.count(k)} 件" for k, w in KIND_WORDS.items() if k in kinds)
    text = f"本办件归档文件共 {1 + len(linked)} 件（办件记录 1 件{'，' + parts if parts else ''}）。"
    text += f"办理步骤已完成 {len(history)} 步"
    open_steps = sum(1 for s in states.values() if s in ("active", "pending"))
    text += f"，尚未办理 {open_steps} 步" if open_steps else ""
    text += f"，其中强制完成 {forced} 步（理由见办理过程）。" if forced else "。"
    kinds_done = [a.get("kind", "") for a in case.amendments]
    amended = "，".join(f"{w} {kinds_done.count(k)} 次" for k, w in amendments.KIND_WORDS.items() if k in kinds_done)
    text += f"办理中{amended}（经办人、理由见更正记录）。" if amended else ""
    style.title(doc, "备考表")
    style.body(doc, "盒内文件情况说明：", indent=False)
    style.body(doc, text)
    doc.add_paragraph()
    lines = (
        f"整理人：{BLANK}　　整理日期：{style.cn_date(today)}",
        f"检查人：{BLANK}　　检查日期：____年__月__日",
    )
    for line in lines:
        style.body(doc, line, indent=False)


def archive_document(site: Site, number: str, today: dt.date) -> Document:
    """The 归档文件 of case ``村名-年份-序号``: cover, 归档文件目录 (landscape), process, materials,
    summaries, 备考表."""
    case = site.cases.get(number)
    matter = site.catalog.get(case.matter_id)
    linked = _linked(site, case)
    first, provisional = numbering(site, case)
    doc = style.new_document()
    _cover(site, doc, matter, case, first, provisional)
    _catalogue(site, doc, matter, case, linked, first, provisional)
    style.title(doc, f"{matter.name}办件记录")
    style.body(doc, f"办件编号：{case.number}　事由：{shown(case.subject)}", indent=False)
    _history(site, doc, matter, case)
    _materials(doc, matter, case)
    _summaries(doc, linked)
    _amendments(doc, matter, case)
    style.page_break(doc)
    _notes(doc, case, matter, linked, today)
    style.hold_sign_off(doc)
    return doc
