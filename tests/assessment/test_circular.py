"""典型经验 and the circular: marking (passage checked verbatim), the draft's units (exactly the period's late,
missing and returned), editing, publishing to the units' home page, the Word layout and the command."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Pt

from annual import assembly
from assessment import circular, practice
from assessment.models import Circular, GoodPractice
from tasks.models import ReportingPeriod

from . import world as hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    data = hand.build()
    # a third unit with no report in either period
    from tasks.models import Assignment
    from units.models import Unit

    c = Unit.objects.create(name="测试开发区", short_name="测试开发区", kind=Unit.Kind.DEV_ZONE, order=901)
    Assignment.objects.create(task=data["assignments"]["a"].task, unit=c, role=Assignment.Role.RESPONSIBLE)
    data["units"]["c"] = c
    return data


def accepted_report(built, key, period="p1"):
    return built["assignments"][key].reports.get(period=built[period])


def test_the_draft_lists_exactly_the_missing_late_and_returned_units_of_the_period(built):
    facts = circular.draft_texts(built["plan"], built["p1"], on=hand.ON)
    units = facts["units_text"].splitlines()
    assert units[0] == "（一）未报送的单位：测试开发区（第1项）。"
    assert units[1] == "（二）逾期报送的单位：测试县乙（第1项）。"
    assert units[2] == "（三）报告被退回修改的单位：测试县乙（第1项）。"
    assert "测试县甲" not in facts["units_text"]
    assert "应报送任务分工3项，已报送2项" in facts["progress_text"]
    assert "按时报送1项，逾期报送1项" in facts["progress_text"]
    # the final period: 甲 and 乙 on time, nobody returned
    final = circular.draft_texts(built["plan"], built["p2"], on=hand.ON)["units_text"].splitlines()
    assert final == ["（一）未报送的单位：测试开发区（第1项）。", "（二）逾期报送的单位：无。", "（三）报告被退回修改的单位：无。"]


def test_nothing_is_invented_placeholders_stand_where_data_says_nothing(built):
    texts = circular.draft_texts(built["plan"], built["p1"], on=hand.ON)
    assert texts["doc_number"] == "【待补充：发文字号】"
    assert texts["practice_text"].startswith("【待补充：")
    assert "【待补充：下一阶段工作要求】" in texts["requirements_text"]
    assert "下一报送期为“全年”，报送截止日期为2030年7月5日" in texts["requirements_text"]
    assert texts["recipients"] == "各县（市、区）人民政府，市属开发区管委会："


def test_good_practice_marks_a_verbatim_passage_of_an_accepted_report(built, client):
    report = accepted_report(built, "a")
    coordinator = built["coordinator"]
    with pytest.raises(practice.PracticeError, match="找不到"):
        practice.mark(report, coordinator, "会议", "召开会议5次")
    item = practice.mark(report, coordinator, "定期召开会议", "召开会议3次")
    assert item.passage == "召开会议3次"
    with pytest.raises(practice.PracticeError, match="标题"):
        practice.mark(report, coordinator, "", "")
    texts = circular.draft_texts(built["plan"], built["p1"], on=hand.ON)
    assert texts["practice_text"] == "1. 测试县甲：定期召开会议。召开会议3次"
    # through the page: a passage not in the report is refused, the title typed is kept
    client.force_login(coordinator)
    url = reverse("assessment:practice_mark", args=[report.pk])
    page = client.post(url, {"title": "我的标题", "passage": "没有的文字"})
    assert page.status_code == 200 and "找不到" in page.content.decode() and "我的标题" in page.content.decode()
    assert client.post(url, {"title": "整份报告", "passage": ""}).status_code == 302
    assert GoodPractice.objects.filter(report=report).count() == 2


def test_a_report_not_accepted_cannot_be_marked(built):
    from tasks import workflow
    from units.models import Membership, User

    member = User.objects.create_user(username="member_c", password="x")
    Membership.objects.create(user=member, unit=built["units"]["c"], role=Membership.Role.REPORTER)
    assignment = built["assignments"]["a"].task.assignments.get(unit=built["units"]["c"])
    draft = workflow.save_report(assignment=assignment, period=built["p1"], user=member,
                                 data={"progress": "on_track", "body": "草稿"})
    with pytest.raises(practice.PracticeError, match="审核通过"):
        practice.mark(draft, built["coordinator"], "标题")


def test_the_year_end_part_editor_shows_the_good_practice(built):
    item = practice.mark(accepted_report(built, "a"), built["coordinator"], "定期召开会议", "召开会议3次")
    rows = assembly.extra_material([item.report_id])
    assert rows == [("定期召开会议", "测试县甲", "召开会议3次", item.report)]


def test_generate_edit_publish_and_the_units_home_page(built, client):
    plan, period = built["plan"], built["p1"]
    client.force_login(built["coordinator"])
    assert client.post(reverse("assessment:circular_generate", args=[plan.pk, period.pk])).status_code == 302
    draft = Circular.objects.get(plan=plan, period=period)
    page = client.get(reverse("assessment:circular", args=[plan.pk, period.pk])).content.decode()
    assert "<mark" in page and "【待补充：发文字号】" in page
    edit = reverse("assessment:circular_edit", args=[plan.pk, period.pk])
    data = {name: getattr(draft, name) or "" for name in circular.EDITABLE}
    data.update({"doc_number": "测法办〔2030〕3号", "issued_on": "2030-08-02", "version": draft.version,
                 "cc": "市委办公室，市人大常委会办公室"})
    assert client.post(edit, data).status_code == 302
    stale = client.post(edit, {**data, "title": "我的新标题"})  # the version read is no longer current
    assert stale.status_code == 200 and "我的新标题" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.doc_number == "测法办〔2030〕3号" and draft.version == 2
    # not published: the unit does not see it
    client.force_login(built["reporters"]["b"])
    assert client.get(reverse("assessment:circular", args=[plan.pk, period.pk])).status_code == 404
    client.force_login(built["coordinator"])
    client.post(reverse("assessment:circular_publish", args=[plan.pk, period.pk]), {"publish": "1"})
    client.force_login(built["reporters"]["b"])
    assert client.get(reverse("assessment:circular", args=[plan.pk, period.pk])).status_code == 200
    home = client.get(reverse("home")).content.decode()
    assert draft.title in home


def written(circular_object):
    out = io.BytesIO()
    from annual.docx import write_docx

    write_docx(circular.document(circular_object), out)
    out.seek(0)
    return Document(out)


def test_the_word_file_has_the_doc_number_title_addressee_body_and_imprint(built):
    draft = circular.generate(built["plan"], built["p1"], built["coordinator"], on=hand.ON)
    draft.cc = "市委办公室"
    draft.issued_on = datetime.date(2030, 8, 2)
    word = written(draft)
    texts = [p.text for p in word.paragraphs]
    number = word.paragraphs[0]
    assert number.text == "【待补充：发文字号】"
    assert number.alignment == WD_ALIGN_PARAGRAPH.CENTER or number.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert number.runs[0].font.highlight_color == WD_COLOR_INDEX.YELLOW
    title = next(p for p in word.paragraphs if p.style.name == "公文标题")
    assert "".join(title.text.split("\n")) == draft.title
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    assert "各县（市、区）人民政府，市属开发区管委会：" in texts
    headings = [p.text for p in word.paragraphs if p.style.name == "公文一级标题"]
    assert headings == ["一、总体进展", "二、报送情况", "三、典型经验", "四、下一步工作要求"]
    assert "（一）未报送的单位：测试开发区（第1项）。" in texts
    imprint = [p for p in word.paragraphs if p.style.name == "版记"]
    assert [p.text for p in imprint] == ["抄送：市委办公室。", f"{draft.issuer}\t2030年8月2日印发"]
    assert imprint[0].runs[0].font.size == Pt(14)
    borders = imprint[0]._p.pPr.find(qn("w:pBdr"))
    assert borders.find(qn("w:top")).get(qn("w:sz")) == "8"
    last = imprint[-1]._p.pPr.find(qn("w:pBdr"))
    assert last.find(qn("w:bottom")).get(qn("w:sz")) == "8"
    assert texts.index("抄送：市委办公室。") > texts.index("2030年8月2日")  # after the signature


def test_export_circular_command(built, tmp_path):
    out = tmp_path / "c.docx"
    stdout = io.StringIO()
    call_command("export_circular", "--plan", str(built["plan"].pk), "--period", str(built["p1"].pk),
                 "--out", str(out), stdout=stdout)  # no draft yet: generated on the plan's day (nothing due)
    assert "按当前数据生成" in stdout.getvalue() and not Circular.objects.filter(plan=built["plan"]).exists()
    circular.generate(built["plan"], built["p1"], built["coordinator"], on=hand.ON)
    call_command("export_circular", "--plan", str(built["plan"].pk), "--period", str(built["p1"].pk),
                 "--out", str(out), stdout=stdout)
    word = Document(out)
    assert any(p.text.startswith("（二）逾期报送的单位：测试县乙") for p in word.paragraphs)
    assert "待补充" in stdout.getvalue()
    other = ReportingPeriod.objects.exclude(plan=built["plan"]).first()
    with pytest.raises(Exception, match="没有编号"):
        call_command("export_circular", "--plan", str(built["plan"].pk), "--period", str(other.pk),
                     "--out", str(out), stdout=io.StringIO())


def test_the_part_editor_of_the_year_end_report_shows_good_practice_of_any_period(client, plan):
    """The demo marks good practice on 上半年 reports; the year-end draft is assembled from 全年."""
    from annual.models import AnnualReport
    from units.models import User

    coordinator = User.objects.get(username="coordinator")
    item = GoodPractice.objects.filter(report__assignment__task__plan=plan).select_related(
        "report__assignment__task").first()
    assert item is not None and item.report.period.name == "上半年"
    assembly.assemble(plan, period=plan.periods.get(name="全年"), user=coordinator)
    draft = AnnualReport.objects.get(plan=plan)
    part = draft.parts.get(task=item.report.assignment.task)
    client.force_login(coordinator)
    page = client.get(reverse("annual:annual_part", args=[plan.pk, part.pk])).content.decode()
    assert "典型经验" in page and item.title in page
