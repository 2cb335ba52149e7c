"""The import corpus (tests/importing/corpus/): every notice as the bytes of the file a user uploads.

Text notices are stored as .txt. Word tables, Excel sheets and PDFs are built here from small specs
(`*.docx.json`, `*.xlsx.json`, `*.pdf.json`) so that the repository holds no binary files: the PDFs are
typeset from a corpus text with reportlab's built-in Chinese font, lines broken at a fixed width and a
page number (`- 2 -`) at the foot of every page, as published PDFs are.
"""

import datetime
import io
import json
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass
class CorpusNotice:
    name: str
    filename: str
    data: bytes
    expected: dict


def corpus_notices() -> list[CorpusNotice]:
    notices = []
    for expected_path in sorted(CORPUS.glob("*.expected.json")):
        name = expected_path.name.removesuffix(".expected.json")
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        text_path = CORPUS / f"{name}.txt"
        if text_path.exists():
            notices.append(CorpusNotice(name, text_path.name, text_path.read_bytes(), expected))
            continue
        (spec_path,) = [p for p in CORPUS.glob(f"{name}.*.json") if p != expected_path]
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        build = {"docx": build_docx, "xlsx": build_xlsx, "pdf": build_pdf}[spec["kind"]]
        notices.append(CorpusNotice(name, f"{name}.{spec['kind']}", build(spec), expected))
    return notices


def build_docx(spec: dict) -> bytes:
    """Paragraphs, then tables; a cell given as null is merged with the cell above it (a vertical merge)."""
    import docx

    document = docx.Document()
    for text in spec.get("paragraphs", []):
        document.add_paragraph(text)
    for rows in spec["tables"]:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    top = r - 1
                    while rows[top][c] is None:
                        top -= 1
                    table.cell(top, c).merge(table.cell(r, c))
                else:
                    table.cell(r, c).text = value
        document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def build_xlsx(spec: dict) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([spec.get("title", "")])
    for rows in spec["tables"]:
        start = sheet.max_row + 1
        for row in rows:
            sheet.append(["" if value is None else value for value in row])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:  # merged with the cell above, as Excel stores it: the value in the top cell
                    sheet.merge_cells(
                        start_row=start + r - 1, start_column=c + 1, end_row=start + r, end_column=c + 1
                    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_lines(text: str, chars_per_line: int) -> list[str]:
    lines = []
    for line in text.splitlines():
        line = line.strip()
        while len(line) > chars_per_line:
            lines.append(line[:chars_per_line])
            line = line[chars_per_line:]
        lines.append(line)
    return lines


def build_pdf(spec: dict) -> bytes:
    text = (CORPUS / spec["from"]).read_text(encoding="utf-8")
    return typeset_pdf(pdf_lines(text, spec["chars_per_line"]), spec["lines_per_page"])


def typeset_pdf(lines: list[str], lines_per_page: int) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.setCreator("corpus")
    width, height = A4
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)] or [[]]
    for number, page in enumerate(pages, 1):
        pdf.setFont("STSong-Light", 14)
        for row, line in enumerate(page):
            pdf.drawString(60, height - 80 - row * 24, line)
        pdf.drawCentredString(width / 2, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scanned_pdf() -> bytes:
    """A PDF with a page of drawing and no text layer, as a scanner makes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    pdf.rect(50, 50, 400, 600, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def differences(notice, expected: dict) -> list[str]:
    """What differs between a ParsedNotice and a hand-written expected structure; [] when they agree."""
    found = []
    if "doc_number" in expected and notice.doc_number != expected["doc_number"]:
        found.append(f"doc_number {notice.doc_number!r} != {expected['doc_number']!r}")
    if "year" in expected and notice.year != expected["year"]:
        found.append(f"year {notice.year!r} != {expected['year']!r}")
    sections = [section for section in notice.sections if section.items]
    if len(sections) != len(expected["sections"]):
        found.append(
            f"{len(sections)} sections with tasks {[s.title for s in sections]} != {len(expected['sections'])}"
        )
    for section, want in zip(sections, expected["sections"], strict=False):
        if section.title != want["title"]:
            found.append(f"section title {section.title!r} != {want['title']!r}")
        if len(section.items) != len(want["tasks"]):
            found.append(
                f"section {want['title']!r}: {len(section.items)} tasks "
                f"{[item.title[:12] for item in section.items]} != {len(want['tasks'])}"
            )
        for item, task in zip(section.items, want["tasks"], strict=False):
            found += [
                f"task {task['number']}: {problem}" for problem in _task_differences(item, task, notice)
            ]
    return found


def _task_differences(item, task, notice) -> list[str]:
    found = []
    if item.number != task["number"]:
        found.append(f"number {item.number} != {task['number']}")
    if not item.title.startswith(task["title"]):
        found.append(f"title {item.title[:30]!r} does not start with {task['title']!r}")
    if item.lead_units != task["lead"]:
        found.append(f"lead {item.lead_units} != {task['lead']}")
    if item.responsible_units != task["responsible"]:
        found.append(f"responsible {item.responsible_units} != {task['responsible']}")
    want = datetime.date.fromisoformat(task["deadline"]) if task["deadline"] else None
    if hasattr(item, "deadline_written"):
        got = item.deadline if item.deadline_written else None
        if got != want:
            found.append(f"deadline {got} != {want}")
    # The importer before issue 18 always gave a date (the end of the year when none was written):
    # then both "no date" and the written date count as right.
    elif item.deadline != want and not (
        want is None and item.deadline.month == 12 and item.deadline.day == 31
    ):
        found.append(f"deadline {item.deadline} != {want}")
    if "points" in task and len(getattr(item, "points", [])) != task["points"]:
        found.append(f"{len(getattr(item, 'points', []))} sub-points != {task['points']}")
    if "leader" in task and getattr(item, "leader", "") != task["leader"]:
        found.append(f"leader {getattr(item, 'leader', '')!r} != {task['leader']!r}")
    return found
