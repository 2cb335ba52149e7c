"""Bad input everywhere: every form and every filter page of the site gets random and hostile data.

Whatever is sent — 50,000 characters of Chinese, NUL and other control characters, a right-to-left override,
script tags, SQL, Excel formulas, path traversal in file names, emoji, blanks, wrong types, duplicated and missing
fields, stale versions, ids that do not exist, are negative, zero, huge, not numbers or belong to another unit —
the answer is a success or a Chinese refusal (200 with the form's errors, a redirect with a message, 403, 404),
never a server error; a redirect never leaves the site; what is stored and shown again is escaped; and another
unit's objects are neither changed nor shown.

Each example runs as one user inside a savepoint that is rolled back, so every example starts from the same
world (tests/security/conftest.py). Hypothesis is derandomized, so CI runs the same examples every time; the
nastiest cases are pinned with @example.
"""

import contextlib
import io
import re
import unicodedata
import uuid
import zipfile

import pytest
from django.db import transaction
from django.urls import NoReverseMatch, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from annual.models import ReportPart, TemplatePart
from importing.views import SESSION_KEY
from notifications.models import Notification
from tasks import workflow
from tasks.forms import EARLIEST_DATE, LATEST_DATE
from tasks.models import (
    Assignment,
    AssignmentEvent,
    ExtensionRequest,
    ProgressReport,
    ReportAttachment,
    ReportingPeriod,
    Task,
    WorkPlan,
)
from tests.conftest import APPROVER, COORDINATOR, COUNTY_REPORTER, LEAD_REPORTER, LEADER, PASSWORD
from tests.importing.test_service import NOTICE
from tests.security.conftest import SECRET, SECRET_FILE
from tests.tasks.test_permissions import PDF
from units.models import Unit, UnitGroup, User

pytestmark = pytest.mark.django_db


def fast(examples=15):
    return hypothesis_settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- the hostile material ----------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")  # must never come back unescaped
NUL = "进展\x00说明"
CONTROLS = "".join(map(chr, range(1, 32)))  # \x01-\x1f
RLO = "\u202e" + "fdp.exe"
SQL = "1' OR '1'='1'; DROP TABLE tasks_progressreport; --"
FORMULA = "=cmd|' /C calc'!A0"
TRAVERSAL = "../../etc/passwd.pdf"
EMOJI = "👍🏽👨‍👩‍👧‍👦🇨🇳"
LONG = "法治政府建设" * 8400  # 50,400 characters of CJK
BLANKS = ["", " ", "\u3000\t\r\n "]
SHORT = [SCRIPT, IMG, NUL, CONTROLS, RLO, SQL, FORMULA, TRAVERSAL, EMOJI, "依法行政", *BLANKS]

hostile_text = st.one_of(
    st.sampled_from([*SHORT, LONG]),
    st.lists(st.sampled_from(SHORT), min_size=2, max_size=4).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=120),  # no lone surrogates: not valid UTF-8
)

HUGE = str(10**20)
BAD_IDS = [
    "0",
    "-1",
    HUGE,
    "9" * 5000,
    "abc",
    "1.5",
    "1e3",
    "0x1F",
    "",
    " ",
    "²",
    "١",
    "１",
    "1\x00",
    "1 OR 1=1",
    SCRIPT,
    "[]",
    "null",
]
hostile_id = st.one_of(
    st.sampled_from(BAD_IDS),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
)


def ids(*refs):
    """A real id (named "@report", resolved when the example runs) or a hostile one."""
    return st.one_of(st.sampled_from(refs), hostile_id) if refs else hostile_id


BAD_DATES = [
    "2022-13-01",
    "2022-02-30",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01",
    "2022/12/31",
    "二〇二二年十二月",
    "yesterday",
    "",
    NUL,
    "2022-12-31\x00",
    SCRIPT,
    "-1",
    "1e10",
    "2022-12-31T00:00",
]
hostile_date = st.one_of(
    st.sampled_from(BAD_DATES),
    st.dates().map(lambda day: day.isoformat()),
    hostile_text,
)
OUTSIDE = [
    "https://evil.example/",
    "//evil.example/x",
    "javascript:alert(1)",
    "/\\evil.example",
    "\\\\evil.example",
    "http:evil.example",
    "https://testserver@evil.example/",
    "/%0d%0aSet-Cookie:x=1",
]
hostile_next = st.one_of(st.sampled_from([*OUTSIDE, "/my/", "", NUL, SCRIPT]), hostile_text)

MISSING = "\x1b<missing>"


def field(values):
    """A form field: absent, given once, or given several times."""
    return st.one_of(st.just(MISSING), values, st.lists(values, min_size=2, max_size=3))


def form(**fields):
    return st.fixed_dictionaries({name: field(values) for name, values in fields.items()}).map(
        lambda data: {name: value for name, value in data.items() if value != MISSING}
    )


def resolve(value, refs):
    """Put the real ids in: "@report" → "17"; in keys, "version_{report}" → "version_17"."""
    if isinstance(value, dict):
        names = {name[1:]: str(pk) for name, pk in refs.items()}
        key_ids = re.compile(r"\{(\w+)\}")
        return {
            key_ids.sub(lambda m: names.get(m[1], m[0]), key): resolve(item, refs)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [resolve(item, refs) for item in value]
    if isinstance(value, str) and value in refs:
        return str(refs[value])
    return value


def path_id(value, refs):
    """An id for a URL (<int:…> takes digits only): a real one, 0, or one that cannot exist."""
    return int(refs.get(value, value))


path_ids = st.sampled_from(["0", "1", HUGE, "9" * 40])


# --- what every answer must be ----------------------------------------------------------------------------

LOGIN = reverse("login")
CJK = re.compile("[\u4e00-\u9fff]")


@contextlib.contextmanager
def acting(client, username=None):
    """One example as `username` (None: nobody logged in); everything it changed is rolled back afterwards."""
    client.raise_request_exception = False  # a server error is a 500 answer, asserted on like any other
    with transaction.atomic():
        client.logout()
        if username:
            client.force_login(User.objects.get(username=username))
        yield client
        transaction.set_rollback(True)


def login_as(client, username):
    client.force_login(User.objects.get(username=username))
    return client


def text_of(response):
    if response.streaming or "html" not in response.get("Content-Type", ""):
        return ""
    return response.content.decode()


def sane(response, *, logged_in=True):
    """A success or a Chinese refusal; no server error, no redirect off the site, no raw markup. → the page."""
    status = response.status_code
    assert status < 500, f"server error {status}"
    assert status in (200, 302, 403, 404), f"unexpected status {status}"
    if status == 302:
        location = response["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\")), (
            f"redirect off the site: {location!r}"
        )
        if logged_in:
            assert not location.startswith(LOGIN), "logged out by the request"
    body = text_of(response)
    for raw in RAW_MARKUP:
        assert raw not in body, f"unescaped {raw!r} on the page"
    if status != 302 and body:
        assert CJK.search(body), "the answer is not a Chinese page"
    return body


def shows_escaped(body, *stored):
    """Every script / img payload in the stored texts is on the page, escaped (and, by `sane`, never raw)."""
    for text in stored:
        for payload in (SCRIPT, IMG):
            if payload in (text or ""):
                assert escape(payload) in body, f"{payload!r} stored but not shown escaped"


def no_nul(*texts):
    for text in texts:
        assert "\x00" not in (text or ""), "a NUL was stored (PostgreSQL refuses it)"


def get(client, name, *args, **query):
    return client.get(reverse(name, args=args), query)


def url_or_skip(name, *args):
    """The URL, or a skip for a page another piece of work has not added yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.skip(f"{name} does not exist (yet)")


# --- files ----------------------------------------------------------------------------------------------------


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f"<w:document>{SCRIPT}</w:document>")
    return buffer.getvalue()


DOCX = docx_bytes()
FILE_NAMES = [
    TRAVERSAL,
    "..\\..\\windows\\win.ini.pdf",
    "C:\\fakepath\\学法记录.pdf",
    "/etc/passwd",
    f"{SCRIPT}.pdf",
    f"{IMG}.docx",
    f"{RLO}.pdf",
    f"{FORMULA}.xlsx",
    "报告" * 200 + ".pdf",
    ".pdf",
    "pdf",
    "学法记录.PDF",
    "x.exe",
    "x.pdf.exe",
    "x.html",
    "a\x01b\x1f.pdf",
    'a"b;c=d.pdf',
    "a\r\nContent-Type: text/html.pdf",
    f"{EMOJI}.png",
    "\u3000.pdf",
    "",
]
FILE_CONTENTS = [
    PDF,
    b"",
    SCRIPT.encode(),
    b"PK\x03\x04garbage",
    DOCX,
    b"\x00" * 64,
    PDF + b"0" * 4096,
    b"\x89PNG\r\n\x1a\n" + b"\x00" * 16,
    b"\xff\xd8\xff" + SCRIPT.encode(),
]
hostile_file = st.tuples(
    st.one_of(st.sampled_from(FILE_NAMES), st.text(max_size=30).map(lambda s: s + ".pdf")),
    st.one_of(st.sampled_from(FILE_CONTENTS), st.binary(max_size=64)),
)


def post_multipart(client, url, fields, files=()):
    """POST as a browser does, file names as typed (the test client would keep only their last part)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + str(item).encode()
            )
    for name, (filename, content) in files:
        quoted = filename.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{quoted}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
        )
    body = b"\r\n".join(parts) + f"\r\n--{boundary}--\r\n".encode()
    return client.post(url, body, content_type=f"multipart/form-data; boundary={boundary}")


# --- reports ---------------------------------------------------------------------------------------------------

PROGRESS = ["not_started", "on_track", "behind", "done"]
report_form = form(
    progress=st.one_of(st.sampled_from(PROGRESS), hostile_text),
    body=hostile_text,
    problems=hostile_text,
    next_steps=hostile_text,
    version=ids("@version", "@version", "1"),
    intent=st.sampled_from(["save", "submit", "request_approval", "delete", SCRIPT, NUL]),
    remove_attachments=ids("@attachment", "@zone_attachment"),
)


@fast(25)
@given(data=report_form, files=st.lists(hostile_file, max_size=3))
@example(data={"body": NUL, "version": "@version"}, files=[])
@example(data={"body": LONG, "problems": LONG, "next_steps": LONG, "version": "@version"}, files=[])
@example(data={"body": SCRIPT, "problems": IMG, "next_steps": FORMULA, "version": "@version"}, files=[])
@example(
    data={"body": "依法行政", "version": HUGE, "remove_attachments": ["@zone_attachment", HUGE]}, files=[]
)
@example(data={"body": "依法行政", "version": "@version", "intent": "submit"}, files=[(TRAVERSAL, PDF)])
@example(data={"body": CONTROLS + RLO + EMOJI, "version": "@version"}, files=[(f"{IMG}.pdf", PDF)] * 3)
@example(data={"body": "依法行政", "version": "@version"}, files=[("大.pdf", PDF + b"0" * 4096)])
# with the one the report has: 11 attachments, over the limit of 10
@example(data={"body": "依法行政", "version": "@version"}, files=[("学法记录.pdf", PDF)] * 10)
def test_report_edit(client, world, zone, refs, settings, data, files):
    settings.ATTACHMENT_MAX_BYTES = 2048  # so that "too big" is cheap to send
    url = reverse("tasks:report_edit", args=[world["assignment"].pk, world["period"].pk])
    with acting(client, COUNTY_REPORTER):
        report = ProgressReport.objects.get(pk=world["report"].pk)
        fields = resolve(data, refs | {"@version": report.version})
        response = post_multipart(client, url, fields, [("attachments", f) for f in files])
        sane(response)
        assert ReportAttachment.objects.get(pk=zone["attachment"].pk).removed_at is None
        report.refresh_from_db()
        no_nul(report.body, report.problems, report.next_steps)
        names = list(report.attachments.values_list("name", flat=True))
        for name in names:  # the name as typed, made harmless: no folders, no control or direction characters
            assert name.strip() and not name.startswith(".") and not set(name) & set("/\\\x00\u202e")
            assert not any(unicodedata.category(ch).startswith("C") for ch in name)
        detail = sane(get(client, "tasks:report_detail", report.pk))
        shows_escaped(detail, report.body, report.problems, report.next_steps, *names)
        shows_escaped(sane(client.get(url)), report.body, report.problems, report.next_steps)
        assert SECRET not in detail and SECRET_FILE not in detail


ACTIONS = {
    "tasks:report_submit": COUNTY_REPORTER,
    "tasks:report_approve": APPROVER,
    "tasks:report_approver_return": APPROVER,
    "tasks:report_withdraw": COUNTY_REPORTER,
    "tasks:report_accept": COORDINATOR,
    "tasks:report_return": COORDINATOR,
}
versions = ids("@version", "@version", "1")


@fast(25)
@given(
    action=st.sampled_from(sorted(ACTIONS)),
    target=st.sampled_from(["@report", "@report", "@zone_report", "0", HUGE]),
    data=form(version=versions, note=hostile_text),
)
@example(action="tasks:report_return", target="@report", data={"version": "@version", "note": NUL})
@example(action="tasks:report_return", target="@report", data={"version": "@version", "note": SCRIPT + IMG})
@example(action="tasks:report_accept", target="@report", data={"version": "@version", "note": SCRIPT})
@example(action="tasks:report_accept", target="@report", data={"version": "abc"})
@example(action="tasks:report_submit", target="@report", data={"version": "²"})
@example(action="tasks:report_approve", target="@report", data={"version": HUGE})
@example(action="tasks:report_return", target="@report", data={"version": "9" * 5000, "note": LONG})
@example(action="tasks:report_approver_return", target="@report", data={"version": "@version", "note": SCRIPT + IMG})
@example(action="tasks:report_approver_return", target="@report", data={"version": "@version", "note": NUL})
@example(action="tasks:report_withdraw", target="@zone_report", data={"version": "@version"})
@example(action="tasks:report_withdraw", target="@report", data={"version": "abc"})
def test_report_actions(client, world, zone, refs, action, target, data):
    with acting(client, ACTIONS[action]):
        plan = world["plan"]
        if action in ("tasks:report_approve", "tasks:report_approver_return"):
            WorkPlan.objects.filter(pk=plan.pk).update(unit_approval=True)
        report = ProgressReport.objects.get(pk=world["report"].pk)
        if action in ("tasks:report_accept", "tasks:report_return", "tasks:report_withdraw"):
            workflow.submit(report, User.objects.get(username=COUNTY_REPORTER))
        before = ProgressReport.objects.values("state", "version").get(pk=zone["report"].pk)
        response = client.post(
            reverse(action, args=[path_id(target, refs)]), resolve(data, refs | {"@version": report.version})
        )
        body = sane(response)
        assert SECRET not in body
        assert ProgressReport.objects.values("state", "version").get(pk=zone["report"].pk) == before
        report.refresh_from_db()
        no_nul(report.review_note)
        approver_notes = list(report.events.filter(action="approver_return").values_list("comment", flat=True))
        no_nul(*approver_notes)
        if approver_notes:  # the approver's note, on the report page and in the liaison's notifications
            shows_escaped(sane(get(client, "tasks:report_detail", report.pk)), *approver_notes)
            login_as(client, COUNTY_REPORTER)
            shows_escaped(sane(get(client, "notifications:list")), *approver_notes)
        if report.review_note:
            shows_escaped(sane(get(client, "tasks:report_detail", report.pk)), report.review_note)
            login_as(client, COUNTY_REPORTER)
            shows_escaped(sane(get(client, "notifications:list")), report.review_note)
            if report.state == ProgressReport.State.RETURNED:  # the form shows the note of a returned report
                edit = get(client, "tasks:report_edit", world["assignment"].pk, world["period"].pk)
                shows_escaped(sane(edit), report.review_note)


@fast(20)
@given(
    data=form(
        report=ids("@report", "@zone_report", "@report"),
        version_placeholder=versions,
        query=st.one_of(hostile_text, st.sampled_from(["state=submitted", "page=2&state=" + SCRIPT])),
    )
)
@example(
    data={
        "report": ["@report", "@zone_report", HUGE, "9" * 5000, "²", "-1", "abc"],
        "version_placeholder": "@version",
    }
)
@example(data={"report": "@report", "version_placeholder": "abc"})
@example(data={"report": "@report", "version_placeholder": HUGE, "query": "\r\nSet-Cookie: x=1"})
def test_review_accept_many(client, world, zone, refs, data):
    with acting(client, COORDINATOR):
        report = ProgressReport.objects.get(pk=world["report"].pk)
        workflow.submit(report, User.objects.get(username=COUNTY_REPORTER))
        accepted_before = set(ProgressReport.objects.filter(state="accepted").values_list("pk", flat=True))
        fields = resolve(data, refs | {"@version": report.version})
        if "version_placeholder" in fields:
            fields[f"version_{report.pk}"] = fields.pop("version_placeholder")
        sane(client.post(reverse("tasks:review_accept_many"), fields))
        newly = (
            set(ProgressReport.objects.filter(state="accepted").values_list("pk", flat=True))
            - accepted_before
        )
        assert newly <= {report.pk}, "a report that was not ticked (or not submitted) was accepted"
        assert ProgressReport.objects.get(pk=zone["report"].pk).state == "draft"


@fast(20)
@given(
    data=form(
        period=ids("@period"),
        assignment=ids("@assignment", "@zone_assignment"),
        scope=st.sampled_from(["unit", "task", "", SCRIPT]),
        unit=ids("@unit", "@zone_unit"),
        task=ids("@task"),
        note=hostile_text,
        next=hostile_next,
        reply_by=hostile_date,
        confirm=st.sampled_from(["on", "", NUL, SCRIPT]),
    )
)
@example(data={"period": "@period", "assignment": "@assignment", "note": NUL})
@example(data={"period": "@period", "unit": "@unit", "scope": "unit", "reply_by": "2099-13-40", "note": SCRIPT})
@example(
    data={
        "period": "@period",
        "assignment": "@assignment",
        "note": SCRIPT + IMG,
        "next": "https://evil.example/",
    }
)
@example(data={"period": "@period", "unit": "abc"})
@example(data={"period": "@period", "task": NUL})
@example(data={"period": "@period", "unit": HUGE, "scope": "unit"})
@example(data={"period": "@period", "assignment": ["²", HUGE, "9" * 5000]})
@example(data={"period": "abc"})
@example(data={"period": HUGE, "assignment": "@assignment"})
def test_urge(client, world, refs, data):
    with acting(client, COORDINATOR):
        response = client.post(reverse("tasks:urge"), resolve(data, refs))
        sane(response)
        events = AssignmentEvent.objects.filter(
            action=AssignmentEvent.Action.URGE, assignment=world["assignment"]
        )
        for event in events:
            no_nul(event.comment)
        note = events.order_by("-pk").values_list("comment", flat=True).first()
        if note:
            login_as(client, COUNTY_REPORTER)
            shows_escaped(sane(get(client, "notifications:list")), note)


@fast(15)
@given(
    data=form(
        unit=ids("@unit", "@zone_unit"),
        note=hostile_text,
        reply_by=hostile_date,
        confirm=st.sampled_from(["on", "", NUL]),
        next=hostile_next,
    ),
    plan=st.sampled_from(["@plan", "@plan", "0", HUGE]),
)
@example(data={"unit": "@unit", "note": SCRIPT + IMG}, plan="@plan")
@example(data={"unit": "@unit", "note": NUL, "reply_by": NUL}, plan="@plan")
@example(data={"unit": HUGE, "next": "https://evil.example/"}, plan="@plan")
def test_receipt_urge(client, world, refs, data, plan):
    with acting(client, COORDINATOR):
        Assignment.objects.filter(pk=world["assignment"].pk).update(receipt=Assignment.Receipt.PENDING)
        sane(client.post(reverse("tasks:receipt_urge", args=[path_id(plan, refs)]), resolve(data, refs)))
        events = AssignmentEvent.objects.filter(action=AssignmentEvent.Action.URGE_RECEIPT)
        notes = list(events.values_list("comment", flat=True))
        no_nul(*notes)
        if notes:
            login_as(client, COUNTY_REPORTER)
            shows_escaped(sane(get(client, "notifications:list")), *notes)


# --- receipts and objections ---------------------------------------------------------------------------------


@fast(20)
@given(
    action=st.sampled_from(["tasks:receipt_confirm", "tasks:receipt_contest"]),
    target=st.sampled_from(["@assignment", "@assignment", "@zone_assignment", "0", HUGE]),
    data=form(next=hostile_next, reason=hostile_text),
)
@example(action="tasks:receipt_confirm", target="@assignment", data={"next": "https://evil.example/"})
@example(action="tasks:receipt_confirm", target="@assignment", data={"next": "javascript:alert(1)"})
@example(action="tasks:receipt_confirm", target="0", data={"next": "//evil.example"})
@example(action="tasks:receipt_contest", target="@assignment", data={"reason": NUL})
@example(action="tasks:receipt_contest", target="@assignment", data={"reason": SCRIPT + IMG})
@example(action="tasks:receipt_contest", target="@assignment", data={"reason": LONG})
@example(action="tasks:receipt_contest", target="@zone_assignment", data={"reason": "不属于本单位"})
def test_receipt_by_the_unit(client, world, zone, refs, action, target, data):
    with acting(client, COUNTY_REPORTER):
        before = Assignment.objects.values("receipt", "receipt_note").get(pk=zone["assignment"].pk)
        body = sane(client.post(reverse(action, args=[path_id(target, refs)]), resolve(data, refs)))
        assert SECRET not in body
        assert Assignment.objects.values("receipt", "receipt_note").get(pk=zone["assignment"].pk) == before
        note = Assignment.objects.get(pk=world["assignment"].pk).receipt_note
        no_nul(note)
        if note:
            login_as(client, COORDINATOR)
            shows_escaped(sane(get(client, "tasks:receipts", world["plan"].pk)), note)
            shows_escaped(sane(get(client, "notifications:list")), note)


@fast(20)
@given(
    target=st.sampled_from(["@assignment", "@assignment", "@zone_assignment", "0", HUGE]),
    data=form(
        decision=st.sampled_from(["insist", "reassign", "", SCRIPT, NUL]),
        **{
            "a{assignment}-note": hostile_text,
            "a{assignment}-unit": ids("@other_unit", "@unit", "@zone_unit"),
        },
    ),
)
@example(target="@assignment", data={"decision": "insist", "a{assignment}-note": NUL})
@example(target="@assignment", data={"decision": "insist", "a{assignment}-note": LONG})
@example(target="@assignment", data={"decision": "insist", "a{assignment}-note": SCRIPT + IMG})
@example(
    target="@assignment",
    data={"decision": "reassign", "a{assignment}-unit": "abc", "a{assignment}-note": NUL},
)
@example(target="@assignment", data={"decision": "reassign", "a{assignment}-unit": HUGE})
def test_receipt_resolve(client, world, refs, target, data):
    with acting(client, COORDINATOR):
        workflow.contest(world["assignment"], User.objects.get(username=COUNTY_REPORTER), "不属于本单位")
        sane(client.post(reverse("tasks:receipt_resolve", args=[path_id(target, refs)]), resolve(data, refs)))
        for event in AssignmentEvent.objects.filter(assignment=world["assignment"]):
            no_nul(event.comment)
        notes = list(Notification.objects.filter(title__startswith="维持分工").values_list("body", flat=True))
        if notes:
            login_as(client, COUNTY_REPORTER)
            shows_escaped(sane(get(client, "notifications:list")), *notes)


# --- extensions ------------------------------------------------------------------------------------------------


@fast(20)
@given(
    target=st.sampled_from(["@assignment", "@assignment", "@zone_assignment", "0", HUGE]),
    data=form(new_deadline=hostile_date, reason=hostile_text),
)
@example(target="@assignment", data={"new_deadline": "2099-01-01", "reason": NUL})
@example(target="@assignment", data={"new_deadline": "2099-01-01", "reason": SCRIPT + IMG})
@example(target="@assignment", data={"new_deadline": "2099-01-01", "reason": LONG})
@example(target="@assignment", data={"new_deadline": "9999-12-31", "reason": "等待上级文件"})
@example(target="@assignment", data={"new_deadline": "2022-02-30\x00", "reason": "等待上级文件"})
@example(target="@zone_assignment", data={"new_deadline": "2099-01-01", "reason": "等待上级文件"})
def test_extension_request(client, world, zone, refs, target, data):
    with acting(client, COUNTY_REPORTER):
        workflow.decide_extension(world["extension"], User.objects.get(username=COORDINATOR), True)
        zone_before = ExtensionRequest.objects.filter(assignment=zone["assignment"]).count()
        body = sane(
            client.post(reverse("tasks:extension_request", args=[path_id(target, refs)]), resolve(data, refs))
        )
        assert SECRET not in body
        assert ExtensionRequest.objects.filter(assignment=zone["assignment"]).count() == zone_before
        reasons = list(
            ExtensionRequest.objects.filter(assignment=world["assignment"]).values_list("reason", flat=True)
        )
        no_nul(*reasons)
        shows_escaped(sane(get(client, "tasks:extension_request", world["assignment"].pk)), *reasons)
        login_as(client, COORDINATOR)
        shows_escaped(sane(get(client, "tasks:extensions")), *reasons)


@fast(20)
@given(
    target=st.sampled_from(["@extension", "@extension", "@zone_extension", "0", HUGE]),
    data=form(
        **{
            "e{target}-decision": st.sampled_from(["grant", "refuse", "", SCRIPT, NUL]),
            "e{target}-note": hostile_text,
        }
    ),
)
@example(target="@extension", data={"e{target}-decision": "refuse", "e{target}-note": NUL})
@example(target="@extension", data={"e{target}-decision": "refuse", "e{target}-note": SCRIPT + IMG})
@example(target="@extension", data={"e{target}-decision": "refuse", "e{target}-note": LONG})
@example(target="@extension", data={"e{target}-decision": ["grant", "refuse"], "e{target}-note": " "})
def test_extension_decide(client, world, refs, target, data):
    with acting(client, COORDINATOR):
        pk = path_id(target, refs)
        sane(client.post(reverse("tasks:extension_decide", args=[pk]), resolve(data, refs | {"@target": pk})))
        note = ExtensionRequest.objects.get(pk=world["extension"].pk).decision_note
        no_nul(note)
        shows_escaped(sane(get(client, "tasks:extensions")), note)
        login_as(client, COUNTY_REPORTER)
        shows_escaped(sane(get(client, "tasks:extension_request", world["assignment"].pk)), note)


# --- periods ----------------------------------------------------------------------------------------------------


@fast(15)
@given(
    data=st.one_of(
        form(preset=st.sampled_from(["quarterly", "half_year", "monthly", "", SCRIPT, NUL])),
        form(name=hostile_text, starts_on=hostile_date, ends_on=hostile_date, due_on=hostile_date),
    )
)
@example(data={"name": NUL, "starts_on": "2022-01-01", "ends_on": "2022-03-31", "due_on": "2022-04-08"})
@example(data={"name": SCRIPT, "starts_on": "2022-01-01", "ends_on": "2022-03-31", "due_on": "2022-04-08"})
@example(data={"name": IMG[:40], "starts_on": "2022-01-01", "ends_on": "2022-03-31", "due_on": "2022-04-08"})
@example(data={"name": LONG, "starts_on": "2022-01-01", "ends_on": "2022-03-31", "due_on": "2022-04-08"})
@example(
    data={"name": "第一季度", "starts_on": "2022-03-31", "ends_on": "2022-01-01", "due_on": "0000-01-01"}
)
@example(data={"name": "远期", "starts_on": "2022-01-01", "ends_on": "9999-12-31", "due_on": "9999-12-31"})
@example(data={"preset": ["quarterly", SCRIPT]})
def test_period_create(client, world, data):
    plan = world["plan"]
    with acting(client, COORDINATOR):
        before = set(ReportingPeriod.objects.filter(plan=plan).values_list("pk", flat=True))
        sane(client.post(reverse("tasks:period_list", args=[plan.pk]), data))
        new = ReportingPeriod.objects.filter(plan=plan).exclude(pk__in=before)
        names = list(new.values_list("name", flat=True))
        no_nul(*names)
        for period in new:
            assert EARLIEST_DATE <= min(period.starts_on, period.ends_on, period.due_on)
            assert max(period.starts_on, period.ends_on, period.due_on) <= LATEST_DATE
        if not names:
            return
        shows_escaped(sane(get(client, "tasks:period_list", plan.pk)), *names)
        shows_escaped(sane(get(client, "tasks:review_queue")), *names)
        login_as(client, COUNTY_REPORTER)
        shows_escaped(sane(get(client, "tasks:my_tasks")), *names)


@fast(15)
@given(
    target=st.sampled_from(["@period", "@period", "0", HUGE]),
    data=form(locked=st.sampled_from(["1", "0", "", "on", "true", NUL, SCRIPT])),
)
@example(target="@period", data={"locked": ["1", "0"]})
def test_period_lock(client, refs, target, data):
    with acting(client, COORDINATOR):
        sane(client.post(reverse("tasks:period_lock", args=[path_id(target, refs)]), data))


# --- assignment control and 办结 (issue 17) -------------------------------------------------------------------

CONTROL = [
    ("tasks:assignment_add", "@task"),
    ("tasks:assignment_remove", "@assignment"),
    ("tasks:assignment_role", "@assignment"),
    ("tasks:assignment_deadline", "@assignment"),
    ("tasks:task_deadline", "@task"),
    ("tasks:task_complete", "@task"),
    ("tasks:task_reopen", "@task"),
    ("tasks:period_edit", "@period"),
    ("tasks:plan_unit_approval", "@plan"),
]


@fast(30)
@given(
    view=st.sampled_from(CONTROL),
    wrong=st.sampled_from([None, None, "0", HUGE]),
    data=form(
        **{"add-unit": ids("@unit"), "add-role": st.sampled_from(["lead", "responsible", "", SCRIPT, NUL]),
           "add-deadline": hostile_date, "add-note": hostile_text},
        reason=hostile_text, note=hostile_text, deadline=hostile_date,
        role=st.sampled_from(["lead", "responsible", "", "owner", NUL]),
        name=hostile_text, starts_on=hostile_date, ends_on=hostile_date, due_on=hostile_date,
        unit_approval=st.sampled_from(["1", "0", "", NUL]),
    ),
)
@example(view=("tasks:assignment_remove", "@assignment"), wrong=None, data={"reason": SCRIPT + IMG})
@example(view=("tasks:task_complete", "@task"), wrong=None, data={"note": NUL})
@example(view=("tasks:period_edit", "@period"), wrong=None, data={"name": SCRIPT, "starts_on": "2022-02-30",
                                                                   "ends_on": "9999-12-31", "due_on": NUL})
def test_assignment_control(client, refs, view, wrong, data):
    name, ref = view
    with acting(client, COORDINATOR):
        url = reverse(name, args=[path_id(wrong or ref, refs)])
        body = sane(client.post(url, resolve(data, refs)))
        if name == "tasks:period_edit" and body:
            shows_escaped(body, data.get("name", ""))
        for event in AssignmentEvent.objects.filter(assignment=refs["@assignment"]):
            no_nul(event.comment)
        no_nul(*Task.objects.filter(pk=refs["@task"]).values_list("completion_note", flat=True))


# --- the plan importer ------------------------------------------------------------------------------------------

HOSTILE_NOTICE = NOTICE.replace("〔2031〕7号", "〔2031〕77号").replace(
    "第一项任务。内容。", f"第一项任务{SCRIPT}。内容{IMG}{FORMULA}。"
)
notice_text = st.one_of(
    hostile_text,
    st.just(HOSTILE_NOTICE),
    st.lists(st.sampled_from(SHORT), max_size=3).map(
        lambda bits: HOSTILE_NOTICE.replace("测试部分", "".join(bits))
    ),
)
upload_names = st.sampled_from(
    [
        "通知.txt",
        "通知.docx",
        TRAVERSAL.replace(".pdf", ".txt"),
        f"{SCRIPT}.txt",
        f"{RLO}.docx",
        "notice.exe",
        "",
        "a\x01.txt",
    ]
)
upload_contents = st.sampled_from(
    [
        HOSTILE_NOTICE.encode("utf-8"),
        HOSTILE_NOTICE.encode("gb18030"),
        HOSTILE_NOTICE.encode("utf-16"),
        b"",
        b"\x00" * 100,
        DOCX,
        b"PK\x03\x04garbage",
        LONG.encode("utf-8"),
        SCRIPT.encode(),
        bytes(range(256)),
    ]
)


@fast(25)
@given(
    data=form(
        text=notice_text,
        year=st.one_of(st.sampled_from(["2031", "1999", "2101", "-1", HUGE, "二〇三一"]), hostile_text),
    ),
    files=st.lists(st.tuples(upload_names, upload_contents), max_size=1),
    decisions=form(
        digest=st.sampled_from(["@digest", "@digest", "0" * 64, "", NUL]),
        action_0=st.sampled_from(["map", "create", "ignore", "", SCRIPT, NUL]),
        unit_0=ids("@unit", "@zone_unit"),
        kind_0=st.sampled_from([*Unit.Kind.values, "", SCRIPT, NUL]),
        publish=st.sampled_from(["on", "", NUL]),
        replace=st.sampled_from(["on", ""]),
    ),
)
@example(data={"text": NUL}, files=[], decisions={})
@example(data={"text": LONG}, files=[], decisions={})
@example(data={"text": "\u3000 \t"}, files=[], decisions={})
@example(
    data={"text": HOSTILE_NOTICE},
    files=[],
    decisions={"digest": "@digest", "action_0": "create", "kind_0": "city_department"},
)
@example(data={"text": HOSTILE_NOTICE, "year": HUGE}, files=[], decisions={})
@example(
    data={},
    files=[(TRAVERSAL.replace(".pdf", ".txt"), HOSTILE_NOTICE.encode())],
    decisions={"digest": "@digest", "action_0": "map", "unit_0": HUGE},
)
@example(data={}, files=[("通知.txt", b"\x00" * 100)], decisions={})
@example(data={}, files=[("通知.docx", b"PK\x03\x04garbage")], decisions={})
@example(data={}, files=[("通知.docx", DOCX)], decisions={"digest": NUL})
def test_plan_import(client, refs, data, files, decisions):
    with acting(client, COORDINATOR):
        plans_before = set(WorkPlan.objects.values_list("pk", flat=True))
        response = post_multipart(client, reverse("importing:import_plan"), data, [("file", f) for f in files])
        sane(response)
        if response.status_code != 302:
            return
        page = client.get(reverse("importing:import_preview"))
        sane(page)
        stored = client.session.get(SESSION_KEY, {})
        no_nul(stored.get("text"), stored.get("name"))
        shows_escaped(page.content.decode(), stored.get("text"))
        digest = page.context["form"].initial["digest"] if page.context and "form" in page.context else ""
        sane(client.post(reverse("importing:import_preview"), resolve(decisions, refs | {"@digest": digest})))
        for plan in WorkPlan.objects.exclude(pk__in=plans_before):
            no_nul(plan.title, plan.source_text)
            shows_escaped(
                sane(get(client, "tasks:plan_detail", plan.pk)), *plan.tasks.values_list("title", flat=True)
            )
            for task in plan.tasks.all():
                shows_escaped(sane(get(client, "tasks:task_detail", task.pk)), task.content)


@fast(25)
@given(
    fixes=st.lists(
        form(
            op=st.sampled_from(["line", "deadline", "role", "", SCRIPT, NUL]),
            line=st.sampled_from(["1", "7", "8", "0", "-1", HUGE, "", NUL]),
            kind=st.sampled_from(["heading", "task", "text", "auto", "", SCRIPT]),
            deadline=st.sampled_from(["2031-06-30", "2031-02-30", "", HUGE, SCRIPT, NUL]),
            name=st.one_of(st.sampled_from(["市司法局", "市星际办"]), hostile_text),
            role=st.sampled_from(["lead", "responsible", "", SCRIPT]),
        ),
        max_size=3,
    ),
)
def test_plan_import_fixes(client, fixes):
    """Fixes posted from the preview: any input is refused or applied, the preview stays sane and escaped."""
    with acting(client, COORDINATOR):
        client.post(reverse("importing:import_plan"), {"text": HOSTILE_NOTICE})
        for fix in fixes:
            sane(client.post(reverse("importing:import_edit"), fix))
        page = client.get(reverse("importing:import_preview"))
        sane(page)
        shows_escaped(page.content.decode(), HOSTILE_NOTICE)
        edits = client.session.get(SESSION_KEY, {}).get("edits") or {}
        no_nul(*[str(value) for part in edits.values() for pair in part.items() for value in pair])


# --- the year-end report ------------------------------------------------------------------------------------------

ANNUAL = [
    "annual:annual_part",
    "annual:annual_head",
    "annual:annual_assemble",
    "annual:annual_part_replace",
    "annual:annual_part_dismiss",
]


@fast(25)
@given(
    action=st.sampled_from(ANNUAL),
    part=st.sampled_from(["@part", "@part", "0", HUGE]),
    data=form(
        text=hostile_text,
        version=ids("@version", "@version", "1"),
        period=ids("@period"),
        title=hostile_text,
        issuer=hostile_text,
        date=hostile_date,
        addressee=hostile_text,
    ),
)
@example(action="annual:annual_part", part="@part", data={"text": NUL, "version": "@version"})
@example(
    action="annual:annual_part",
    part="@part",
    data={"text": SCRIPT + "\n" + IMG + CONTROLS, "version": "@version"},
)
@example(action="annual:annual_part", part="@part", data={"text": LONG * 4 + "x", "version": "@version"})
@example(
    action="annual:annual_head",
    part="@part",
    data={
        "title": SCRIPT + CONTROLS,
        "issuer": IMG[:40],
        "addressee": FORMULA,
        "date": "2022-12-31",
        "version": "@version",
    },
)
@example(
    action="annual:annual_head", part="@part", data={"title": NUL, "issuer": "x", "version": "@version"}
)
@example(action="annual:annual_part_replace", part="@part", data={"version": "abc"})
@example(action="annual:annual_part_replace", part="@part", data={"version": "9" * 5000})
@example(action="annual:annual_assemble", part="@part", data={"period": HUGE})
@example(action="annual:annual_assemble", part="@part", data={"period": ["@period", "abc"]})
def test_annual_report(client, world, draft, refs, action, part, data):
    plan = world["plan"]
    with acting(client, COORDINATOR):
        first = draft.parts.order_by("pk").first()
        version = draft.version if action == "annual:annual_head" else first.version
        fields = resolve(data, refs | {"@version": version})
        part_pk = path_id(part, refs | {"@part": first.pk})
        args = (
            [plan.pk] if action in ("annual:annual_head", "annual:annual_assemble") else [plan.pk, part_pk]
        )
        sane(client.post(reverse(action, args=args), fields))
        draft.refresh_from_db()
        texts = list(ReportPart.objects.filter(report=draft).values_list("text", flat=True))
        no_nul(draft.title, draft.issuer, draft.addressee, *texts)
        page = sane(get(client, "annual:annual_report", plan.pk))
        shows_escaped(page, draft.title, draft.issuer, draft.addressee)
        shows_escaped(sane(get(client, "annual:annual_print", plan.pk)), draft.title, draft.issuer, *texts)
        shows_escaped(sane(get(client, "annual:annual_part", plan.pk, first.pk)), first.text)
        assert get(client, "annual:annual_docx", plan.pk).status_code == 200  # control characters and all
        sane(get(client, "annual:annual_figures", plan.pk))
        assert get(client, "annual:annual_figures_xlsx", plan.pk).status_code == 200


@fast(25)
@given(
    preset=st.sampled_from(["statutory", "county", "custom", "", NUL, SCRIPT, HUGE]),
    data=form(
        heading=hostile_text,
        kind=st.sampled_from(["measures", "leaders", "shortcomings", "text", "", NUL, SCRIPT]),
        order=ids("1", "2"),
        sections=ids("@section", "0"),
        total=ids("1", "2", "0"),
        limit=ids("400", "1", "99999"),
    ),
)
@example(
    preset="county", data={"heading": SCRIPT, "kind": "text", "order": "1", "total": "1", "limit": "400"}
)
@example(preset="statutory", data={"heading": NUL, "kind": "measures", "sections": HUGE, "total": "1"})
def test_annual_template(client, world, draft, refs, preset, data):
    """The template page and the preset button: bad input is refused in Chinese, the draft stays readable."""
    plan = world["plan"]
    section = plan.sections.order_by("pk").first()
    fields = resolve(data, refs | {"@section": section.pk})
    posted = {
        "form-TOTAL_FORMS": fields.get("total", "1"),
        "form-INITIAL_FORMS": "0",
        "digest_limit": fields.get("limit", "400"),
        "form-0-heading": fields.get("heading", ""),
        "form-0-kind": fields.get("kind", ""),
        "form-0-order": fields.get("order", ""),
        "form-0-sections": fields.get("sections", ""),
    }
    with acting(client, COORDINATOR):
        sane(client.post(reverse("annual:annual_template", args=[plan.pk]), posted))
        sane(client.post(reverse("annual:annual_template_preset", args=[plan.pk]), {"preset": preset}))
        page = sane(get(client, "annual:annual_template", plan.pk))
        headings = list(TemplatePart.objects.filter(template__report=draft).values_list("heading", flat=True))
        no_nul(*headings)
        shows_escaped(page, *headings)
        sane(get(client, "annual:annual_report", plan.pk))
        assert get(client, "annual:annual_docx", plan.pk).status_code == 200


# --- plans, tasks, public page, notifications --------------------------------------------------------------------


@fast(15)
@given(
    target=st.sampled_from(["@plan", "@plan", "0", HUGE]),
    data=form(public=st.sampled_from(["on", "off", "", NUL, SCRIPT]), confirmed=st.sampled_from(["on", "", NUL])),
)
@example(target="@plan", data={"public": ["on", "off"]})
def test_public_switch(client, refs, target, data):
    with acting(client, COORDINATOR):
        sane(client.post(reverse("dashboards:public_switch", args=[path_id(target, refs)]), data))
    with acting(client, None):
        sane(get(client, "dashboards:public_dashboard", refs["@plan"], period=SCRIPT), logged_in=False)


@fast(15)
@given(
    data=form(units=ids("@unit", "@zone_unit", "@other_unit")),
    target=st.sampled_from(["@group", "@group", "0", HUGE]),
)
@example(data={"units": ["abc", HUGE, "9" * 5000, NUL]}, target="@group")
def test_task_choose_group(client, world, refs, data, target):
    task, group = world["task"], UnitGroup.objects.first()
    with acting(client, COORDINATOR):
        task.pending_groups.add(group)
        members = set(group.members.values_list("pk", flat=True))
        before = set(Assignment.objects.filter(task=task).values_list("unit_id", flat=True))
        url = reverse("tasks:task_choose_group", args=[task.pk, path_id(target, refs | {"@group": group.pk})])
        sane(client.post(url, resolve(data, refs)))
        added = set(Assignment.objects.filter(task=task).values_list("unit_id", flat=True)) - before
        assert added <= members, "a unit outside the group was assigned"
        sane(client.post(reverse("tasks:plan_publish", args=[world["plan"].pk]), resolve(data, refs)))
        sane(client.post(reverse("tasks:plan_publish", args=[world["plan"].pk]), {"confirmed": ["on", NUL]}))


@fast(15)
@given(
    target=st.sampled_from(["@plan", "@plan", "0", HUGE]),
    data=form(closed_on=hostile_date, confirm=st.sampled_from(["yes", "no", "", NUL, SCRIPT]), reason=hostile_text),
    as_of=hostile_date,
)
@example(target="@plan", data={"closed_on": "2022-12-31", "confirm": "yes", "reason": SCRIPT}, as_of=SCRIPT)
@example(target="@plan", data={"closed_on": ["2022-12-31", "2099-01-01"], "confirm": ["yes", "no"]}, as_of="9999-12-31")
def test_plan_close_reopen_and_as_of(client, refs, target, data, as_of):
    """结束计划 / 重新开启 with hostile days, confirmations and reasons; the dashboards' ?as_of= likewise."""
    with acting(client, COORDINATOR):
        plan_id = path_id(target, refs)
        sane(client.post(reverse("tasks:plan_close", args=[plan_id]), data))
        plan = WorkPlan.objects.get(pk=refs["@plan"])
        assert plan.closed_on is None or plan.closed_on <= timezone.localdate(), "closed in the future"
        sane(client.post(reverse("tasks:plan_reopen", args=[plan_id]), data))
        for name in ("dashboards:dashboard", "dashboards:dashboard_units", "dashboards:matrix", "dashboards:dashboard_list"):
            sane(get(client, name, refs["@plan"], as_of=as_of))


@pytest.mark.parametrize("target", ["@note", "@zone_note", "0", HUGE])
def test_notifications(client, refs, target):
    with acting(client, COUNTY_REPORTER):
        pk = path_id(target, refs)
        response = client.get(reverse("notifications:open", args=[pk]))
        assert response.status_code == (302 if target == "@note" else 404)
        assert SECRET not in sane(response)
        sane(client.post(reverse("notifications:read_all"), {"next": "https://evil.example/"}))
        assert Notification.objects.get(pk=refs["@zone_note"]).read_at is None


# --- the log-in form ---------------------------------------------------------------------------------------------


# User names longer than the log-in throttle stores (255): test_login_with_a_long_user_name.
user_names = st.one_of(st.sampled_from([COUNTY_REPORTER]), hostile_text.filter(lambda name: len(name) <= 255))


@fast(20)
@given(
    data=form(
        username=user_names, password=st.one_of(st.sampled_from([PASSWORD]), hostile_text), next=hostile_next
    )
)
@example(data={"username": NUL, "password": NUL})
@example(data={"username": "管理员" * 85, "password": LONG})
@example(data={"username": "admin' --", "password": SQL})
@example(data={"username": COUNTY_REPORTER, "password": PASSWORD, "next": "https://evil.example/"})
@example(data={"username": COUNTY_REPORTER, "password": PASSWORD, "next": "//evil.example"})
@example(data={"username": SCRIPT, "password": "x", "next": IMG})
def test_login(client, data):
    with acting(client, None):
        logged_in = data.get("username") == COUNTY_REPORTER and data.get("password") == PASSWORD
        response = client.post(reverse("login"), data)
        sane(response, logged_in=False)
        if response.status_code == 200:
            assert "_auth_user_id" not in client.session
        sane(client.get(reverse("login"), {"next": data.get("next", "")}), logged_in=logged_in)
        sane(client.post(reverse("logout"), {"next": data.get("next", "")}), logged_in=False)


@pytest.mark.parametrize("username", ["a" * 256, LONG])
def test_login_with_a_long_user_name(client, username):
    with acting(client, None):
        response = client.post(reverse("login"), {"username": username, "password": "x"})
        sane(response, logged_in=False)
        assert "_auth_user_id" not in client.session


# --- unit users, password reset and change (added by other work; skipped while not there) ----------------------

passwords = st.one_of(
    st.sampled_from(["Fz7#kq2Lm9!wR", PASSWORD, NUL, LONG, SCRIPT, IMG, "", "12345678", EMOJI * 3]),
    hostile_text,
)


@fast(15)
@given(
    target=st.sampled_from(["@county_user", "@county_user", "@coordinator_user", "@admin_user", "0", HUGE]),
    data=form(new_password1=passwords, new_password2=passwords, generate=st.sampled_from(["1", "", NUL])),
)
@example(target="@county_user", data={"new_password1": NUL, "new_password2": NUL})
@example(target="@county_user", data={"new_password1": LONG, "new_password2": LONG})
@example(target="@county_user", data={"new_password1": SCRIPT + "Aa1!", "new_password2": SCRIPT + "Aa1!"})
@example(target="@admin_user", data={"generate": "1"})
def test_password_reset(client, refs, target, data):
    with acting(client, COORDINATOR):
        pk = path_id(target, refs)
        url = url_or_skip("units:password_reset", pk)
        hashes = dict(User.objects.values_list("pk", "password"))
        response = client.post(url, data)
        sane(response)
        changed = {
            pk for pk, hashed in User.objects.values_list("pk", "password") if hashes.get(pk) != hashed
        }
        assert changed <= {refs["@county_user"]}, "a password other than the unit user's was changed"
        if response.status_code == 200 and not data.get("generate"):
            assert not changed or data.get("new_password1") == data.get("new_password2")
        sane(client.get(url_or_skip("units:user_list"), {"q": SCRIPT}))


@fast(15)
@given(
    data=form(
        full_name=hostile_text,
        unit=ids("@unit", "@zone_unit"),
        role=st.sampled_from(["reporter", "approver", "coordinator", "", NUL, SCRIPT]),
        phone=st.one_of(st.sampled_from(["13800000000", "0635-1234567"]), hostile_text),
        email=st.one_of(st.sampled_from(["a@example.org"]), hostile_text),
        username=st.one_of(st.sampled_from(["", "admin", "ADMIN", "dongchangfu", "new_user"]), hostile_text),
    )
)
@example(data={"full_name": SCRIPT + IMG, "unit": "@unit", "role": "reporter"})
@example(data={"full_name": NUL, "unit": "@unit", "role": "reporter", "username": NUL})
@example(data={"full_name": "某人", "unit": HUGE, "role": "approver"})
@example(data={"full_name": "某人", "unit": "@unit", "role": "reporter", "username": "Admin"})
def test_account_create(client, refs, data):
    with acting(client, COORDINATOR):
        before = set(User.objects.values_list("pk", flat=True))
        response = client.post(url_or_skip("units:account_create"), resolve(data, refs))
        body = sane(response)
        new = User.objects.exclude(pk__in=before)
        for person in new:
            no_nul(person.full_name, person.username, person.phone, person.email)
            assert not person.is_staff and not person.is_superuser and not person.groups.exists()
            assert person.must_change_password
            shows_escaped(body, person.full_name)
        shows_escaped(sane(client.get(url_or_skip("units:user_list"))), *new.values_list("full_name", flat=True))


def _sheet(rows):
    """An .xlsx of the rows (a worksheet cannot hold control characters: Excel writes none, openpyxl refuses)."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = openpyxl.Workbook()
    book.active.append(["姓名", "单位", "角色", "手机", "邮箱"])
    for row in rows:
        book.active.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


sheet_cells = st.one_of(st.sampled_from(["东昌府区", "联络员", "审核人", "", "=1+1", "@SUM(A1)"]), hostile_text)


@fast(15)
@given(
    rows=st.lists(st.lists(sheet_cells, min_size=5, max_size=5), max_size=3),
    raw=st.sampled_from([None, b"", b"PK\x03\x04garbage", bytes(range(256)), LONG.encode()]),
    name=upload_names,
)
@example(rows=[[SCRIPT + IMG, "东昌府区", "联络员", "", ""]], raw=None, name="账号.xlsx")
@example(rows=[[NUL, "东昌府区", "联络员", NUL, NUL]], raw=None, name="账号.xlsx")
@example(rows=[], raw=b"PK\x03\x04garbage", name=f"{SCRIPT}.xlsx")
def test_account_import(client, rows, raw, name):
    with acting(client, COORDINATOR):
        before = set(User.objects.values_list("pk", flat=True))
        content = _sheet(rows) if raw is None else raw
        body = sane(post_multipart(client, url_or_skip("units:account_import"), {}, [("sheet", (name, content))]))
        for person in User.objects.exclude(pk__in=before):
            no_nul(person.full_name, person.username, person.phone, person.email)
            assert not person.groups.exists() and person.must_change_password
            shows_escaped(body, person.full_name)
        sane(client.get(url_or_skip("units:account_template")))


@fast(10)
@given(target=st.sampled_from(["@county_user", "@coordinator_user", "@admin_user", "0", HUGE]))
def test_account_deactivate(client, refs, target):
    with acting(client, COORDINATOR):
        url = url_or_skip("units:account_deactivate", path_id(target, refs))
        active = dict(User.objects.values_list("pk", "is_active"))
        sane(client.post(url))
        changed = {pk for pk, is_active in User.objects.values_list("pk", "is_active") if active.get(pk) != is_active}
        assert changed <= {refs["@county_user"]}, "an account other than the unit user's was deactivated"


@fast(15)
@given(
    data=form(
        old_password=st.one_of(st.just(PASSWORD), passwords), new_password1=passwords, new_password2=passwords
    )
)
@example(data={"old_password": PASSWORD, "new_password1": NUL, "new_password2": NUL})
@example(data={"old_password": PASSWORD, "new_password1": LONG, "new_password2": LONG})
@example(data={"old_password": NUL, "new_password1": "Fz7#kq2Lm9!wR", "new_password2": "Fz7#kq2Lm9!wR"})
@example(data={"old_password": PASSWORD, "new_password1": SCRIPT + "Aa1!", "new_password2": SCRIPT + "Aa1!"})
def test_password_change(client, data):
    with acting(client, COUNTY_REPORTER):
        url = url_or_skip("password_change")
        response = client.post(url, data)
        sane(response)
        sane(get(client, "tasks:my_tasks"))  # still logged in, whatever happened


# --- every filter (GET) page ---------------------------------------------------------------------------------------

# page name → (who reads it, the ids in its URL)
PAGES = {
    "home": (COUNTY_REPORTER, []),
    "tasks:my_tasks": (COUNTY_REPORTER, []),
    "tasks:plan_list": (COUNTY_REPORTER, []),
    "tasks:plan_detail": (COUNTY_REPORTER, ["@plan"]),
    "tasks:task_list": (COUNTY_REPORTER, ["@plan"]),
    "tasks:task_detail": (COUNTY_REPORTER, ["@task"]),
    "tasks:report_detail": (COUNTY_REPORTER, ["@report"]),
    "tasks:report_edit": (COUNTY_REPORTER, ["@assignment", "@period"]),
    "tasks:receipt_contest": (COUNTY_REPORTER, ["@assignment"]),
    "tasks:extension_request": (COUNTY_REPORTER, ["@assignment"]),
    "tasks:period_list": (COUNTY_REPORTER, ["@plan"]),
    "notifications:list": (COUNTY_REPORTER, []),
    "tasks:consolidation": (COORDINATOR, ["@task", "@period"]),
    "tasks:review_queue": (COORDINATOR, []),
    "tasks:missing_reports": (COORDINATOR, []),
    "tasks:receipts": (LEADER, ["@plan"]),
    "tasks:extensions": (LEADER, []),
    "dashboards:dashboard": (LEADER, ["@plan"]),
    "dashboards:dashboard_units": (LEADER, ["@plan"]),
    "dashboards:dashboard_units_xlsx": (LEADER, ["@plan"]),
    "dashboards:matrix": (LEADER, ["@plan"]),
    "dashboards:matrix_xlsx": (LEADER, ["@plan"]),
    "dashboards:dashboard_list": (LEADER, ["@plan"]),
    "dashboards:public_dashboard": (None, ["@plan"]),
    "annual:annual_report": (LEADER, ["@plan"]),
    "annual:ledger": (LEADER, ["@plan"]),
    "importing:import_plan": (COORDINATOR, []),
    "importing:import_preview": (COORDINATOR, []),
    "login": (None, []),
    # added by the unit-user and audit work; skipped while their URLs are not there
    "units:user_list": (COORDINATOR, []),
    "units:password_reset": (COORDINATOR, ["@county_user"]),
    "password_change": (COUNTY_REPORTER, []),
    "password_change_done": (COUNTY_REPORTER, []),
    "audit:log": (COORDINATOR, []),
    # 考核与通报
    "assessment:ranking": (COUNTY_REPORTER, []),
    "assessment:ranking_xlsx": (LEADER, []),
    "assessment:rule": (COUNTY_REPORTER, ["@plan"]),
    "assessment:rule_edit": (COORDINATOR, ["@plan"]),
    "assessment:unit_score": (COUNTY_REPORTER, ["@plan", "@unit"]),
    "assessment:practices": (COORDINATOR, []),
    "assessment:practice_mark": (COORDINATOR, ["@report"]),
    "assessment:circular_list": (LEADER, []),
    "assessment:circular": (LEADER, ["@plan", "@period"]),
    "assessment:circular_docx": (LEADER, ["@plan", "@period"]),
    "assessment:circular_edit": (COORDINATOR, ["@plan", "@period"]),
}
PARAMETERS = [
    "period",
    "section",
    "unit",
    "unit_kind",
    "kind",
    "state",
    "page",
    "sort",
    "light",
    "what",
    "q",
    "role",
    "next",
    "person",
    "date_from",
    "date_to",
    "action",
    "model",
]
query_value = st.one_of(
    ids("@period", "@section", "@unit", "@zone_unit"),
    hostile_text,
    hostile_date,
    st.sampled_from(
        [*Unit.Kind.values, "submitted", "accepted", "overdue", "reported", "name", "-name", "lead"]
    ),
)
queries = st.one_of(
    st.dictionaries(
        st.sampled_from(PARAMETERS),
        st.one_of(query_value, st.lists(query_value, min_size=2, max_size=3)),
        max_size=6,
    ),
    st.dictionaries(st.text(max_size=10), hostile_text, max_size=3),
)


def spread(*values):
    """Every parameter gets one of the values, in turn (so each value meets each kind of parameter somewhere)."""
    return {name: values[i % len(values)] for i, name in enumerate(PARAMETERS)}


NASTY_QUERIES = [
    dict.fromkeys(PARAMETERS, NUL),
    dict.fromkeys(PARAMETERS, LONG),
    spread(HUGE, "²", "9" * 5000, "-1"),
    spread("9" * 5000, "-1", HUGE, "²"),
    spread(SCRIPT, IMG, "@zone_unit", "@zone_report")
    | {"page": "-1", "date_from": "0001-01-01", "date_to": "9999-12-31"},
]


def nasty_queries(test):
    for query in NASTY_QUERIES:
        test = example(query=query)(test)
    return test


# Pages that build a whole workbook or list every missing report: fewer random queries, each with a period (the
# nasty ones all run).
HEAVY = {"annual:ledger", "dashboards:matrix_xlsx", "dashboards:dashboard_units_xlsx", "tasks:missing_reports"}


def read_page(client, world, refs, name, query):
    username, args = PAGES[name]
    with acting(client, username):
        if name == "dashboards:public_dashboard":
            WorkPlan.objects.filter(pk=world["plan"].pk).update(public_dashboard=True)
        if name == "importing:import_preview":
            session = client.session
            session[SESSION_KEY] = {"text": HOSTILE_NOTICE, "year": None, "name": f"{SCRIPT}.txt"}
            session.save()
        url = url_or_skip(name, *[refs[arg] for arg in args])
        body = sane(client.get(url, resolve(query, refs)), logged_in=username is not None)
        if username not in (COORDINATOR, LEADER):
            assert SECRET not in body, "another unit's report shown"


# Known failures in code this work may not change; strict: the mark must go once they are fixed.
KNOWN_BROKEN = {}  # name: reason — a page whose failure is known and owned elsewhere (strict xfail)


def page_params(names):
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BROKEN[name]))
        if name in KNOWN_BROKEN
        else name
        for name in sorted(names)
    ]


@pytest.mark.parametrize("name", page_params(set(PAGES) - HEAVY))
@fast(6)
@given(query=queries)
@nasty_queries
def test_filter_pages(client, world, zone, draft, refs, name, query):
    read_page(client, world, refs, name, query)


@pytest.mark.parametrize("name", page_params(HEAVY))
@fast(3)
@given(query=st.tuples(query_value, queries).map(lambda pair: {**pair[1], "period": pair[0]}))
@nasty_queries
def test_heavy_filter_pages(client, world, zone, draft, refs, name, query):
    read_page(client, world, refs, name, query)


# --- wrong ids: another unit's objects, ids that do not exist -----------------------------------------------------

# (name, the other unit's ids in its URL, method)
ID_PAGES = [
    ("tasks:report_edit", ["@zone_assignment", "@period"], "get"),
    ("tasks:report_edit", ["@zone_assignment", "@period"], "post"),
    ("tasks:report_edit", ["@assignment", "0"], "get"),
    ("tasks:report_detail", ["@zone_report"], "get"),
    ("tasks:report_submit", ["@zone_report"], "post"),
    ("tasks:report_approve", ["@zone_report"], "post"),
    ("tasks:report_accept", ["@zone_report"], "post"),
    ("tasks:report_return", ["@zone_report"], "post"),
    ("tasks:attachment", ["@zone_attachment"], "get"),
    ("tasks:consolidation", ["@zone_task", "@period"], "get"),
    ("tasks:receipt_confirm", ["@zone_assignment"], "post"),
    ("tasks:receipt_contest", ["@zone_assignment"], "post"),
    ("tasks:receipt_resolve", ["@zone_assignment"], "post"),
    ("tasks:extension_request", ["@zone_assignment"], "post"),
    ("tasks:extension_decide", ["@zone_extension"], "post"),
    ("notifications:open", ["@zone_note"], "get"),
    ("tasks:task_choose_group", ["@zone_task", "@unit"], "post"),
    ("annual:annual_part", ["@plan", "@zone_report"], "get"),
]


@pytest.mark.parametrize(("name", "args", "method"), ID_PAGES)
@pytest.mark.parametrize("kind", ["other unit", "zero", "huge"])
def test_wrong_ids(client, world, zone, refs, name, args, method, kind):
    """Unit A's reporter with unit B's ids, 0 or 10**20 (the coordinator, on pages only coordinators may open, with
    0 or 10**20): 404 or 403, nothing of unit B's shown or changed."""
    values = {"other unit": lambda a: refs[a], "zero": lambda a: 0, "huge": lambda a: 10**20}[kind]
    coordinators_only = name in ("tasks:receipt_resolve", "tasks:extension_decide", "annual:annual_part")
    with acting(client, COORDINATOR if coordinators_only and kind != "other unit" else COUNTY_REPORTER):
        before = (
            ProgressReport.objects.values("state", "version", "body").get(pk=zone["report"].pk),
            Assignment.objects.values("receipt", "unit_id").get(pk=zone["assignment"].pk),
            ExtensionRequest.objects.values("state").get(pk=zone["extension"].pk),
            ReportAttachment.objects.values("removed_at").get(pk=zone["attachment"].pk),
        )
        url = reverse(
            name,
            args=[
                values(arg) if arg.startswith("@zone") or kind != "other unit" else refs.get(arg, arg)
                for arg in args
            ],
        )
        data = {
            "version": 1,
            "note": SCRIPT,
            "reason": SCRIPT,
            "body": SCRIPT,
            "decision": "insist",
            "new_deadline": "2099-01-01",
            "locked": "1",
        }
        response = getattr(client, method)(url, data)
        body = sane(response)
        if (name, kind) == ("tasks:receipt_confirm", "zero"):
            assert response.status_code == 302  # 0 means "every pending assignment of my units"
        else:
            assert response.status_code in (403, 404), (name, kind, response.status_code)
        assert SECRET not in body and SECRET_FILE not in body
        after = (
            ProgressReport.objects.values("state", "version", "body").get(pk=zone["report"].pk),
            Assignment.objects.values("receipt", "unit_id").get(pk=zone["assignment"].pk),
            ExtensionRequest.objects.values("state").get(pk=zone["extension"].pk),
            ReportAttachment.objects.values("removed_at").get(pk=zone["attachment"].pk),
        )
        assert after == before


# --- markup that is stored comes back escaped, on every page that shows it -----------------------------------------

MARKUP = SCRIPT + IMG


def store_markup(client, world, draft, what):
    """Store MARKUP through one form (asserting it was accepted) → [(who reads it, the page's URL[, what of
    MARKUP the page shows])]."""
    plan, assignment, period = world["plan"], world["assignment"], world["period"]
    report = ProgressReport.objects.get(pk=world["report"].pk)
    county, coordinator = User.objects.get(username=COUNTY_REPORTER), User.objects.get(username=COORDINATOR)

    def post(username, name, args, data):
        login_as(client, username)
        response = client.post(reverse(name, args=args), data)
        assert response.status_code == 302, (what, response.status_code)
        assert not response["Location"].startswith(LOGIN)

    match what:
        case "report":
            post(
                COUNTY_REPORTER,
                "tasks:report_edit",
                [assignment.pk, period.pk],
                {
                    "body": MARKUP,
                    "problems": MARKUP,
                    "next_steps": MARKUP,
                    "version": report.version,
                    "intent": "submit",
                },
            )
            return [
                (COUNTY_REPORTER, reverse("tasks:report_detail", args=[report.pk])),
                (COUNTY_REPORTER, reverse("tasks:report_edit", args=[assignment.pk, period.pk])),
                (LEAD_REPORTER, reverse("tasks:consolidation", args=[world["task"].pk, period.pk])),
            ]
        case "return note":
            workflow.submit(report, county)
            post(COORDINATOR, "tasks:report_return", [report.pk], {"version": report.version, "note": MARKUP})
            return [
                (COUNTY_REPORTER, reverse("tasks:report_detail", args=[report.pk])),
                (COUNTY_REPORTER, reverse("tasks:report_edit", args=[assignment.pk, period.pk])),
                (COUNTY_REPORTER, reverse("notifications:list")),
            ]
        case "accept note":
            workflow.submit(report, county)
            post(COORDINATOR, "tasks:report_accept", [report.pk], {"version": report.version, "note": MARKUP})
            return [
                (COUNTY_REPORTER, reverse("tasks:report_detail", args=[report.pk])),
                (COUNTY_REPORTER, reverse("notifications:list")),
            ]
        case "objection":
            post(COUNTY_REPORTER, "tasks:receipt_contest", [assignment.pk], {"reason": MARKUP})
            return [
                (COORDINATOR, reverse("tasks:receipts", args=[plan.pk])),
                (COORDINATOR, reverse("notifications:list")),
            ]
        case "insist note":
            workflow.contest(assignment, county, "不属于本单位")
            post(
                COORDINATOR,
                "tasks:receipt_resolve",
                [assignment.pk],
                {"decision": "insist", f"a{assignment.pk}-note": MARKUP},
            )
            return [(COUNTY_REPORTER, reverse("notifications:list"))]
        case "extension reason":
            workflow.decide_extension(world["extension"], coordinator, True)
            post(
                COUNTY_REPORTER,
                "tasks:extension_request",
                [assignment.pk],
                {"new_deadline": "2100-01-01", "reason": MARKUP},
            )
            return [
                (COORDINATOR, reverse("tasks:extensions")),
                (COUNTY_REPORTER, reverse("tasks:extension_request", args=[assignment.pk])),
                (COORDINATOR, reverse("notifications:list")),
            ]
        case "extension decision":
            pk = world["extension"].pk
            post(
                COORDINATOR,
                "tasks:extension_decide",
                [pk],
                {f"e{pk}-decision": "refuse", f"e{pk}-note": MARKUP},
            )
            return [
                (COORDINATOR, reverse("tasks:extensions")),
                (COUNTY_REPORTER, reverse("tasks:extension_request", args=[assignment.pk])),
                (COUNTY_REPORTER, reverse("notifications:list")),
            ]
        case "urge note":
            post(
                COORDINATOR,
                "tasks:urge",
                [],
                {"period": period.pk, "assignment": assignment.pk, "note": MARKUP},
            )
            return [(COUNTY_REPORTER, reverse("notifications:list"))]
        case "period name":
            post(
                COORDINATOR,
                "tasks:period_list",
                [plan.pk],
                {"name": SCRIPT, "starts_on": "2022-01-01", "ends_on": "2022-03-31", "due_on": "2022-04-08"},
            )
            return [
                (COORDINATOR, reverse("tasks:period_list", args=[plan.pk])),
                (COORDINATOR, reverse("tasks:review_queue")),
                (COORDINATOR, reverse("tasks:missing_reports")),
                (COUNTY_REPORTER, reverse("tasks:my_tasks")),
                (LEADER, reverse("dashboards:dashboard", args=[plan.pk])),
                (LEADER, reverse("dashboards:matrix", args=[plan.pk])),
            ]
        case "annual part":
            part = draft.parts.order_by("pk").first()
            post(
                COORDINATOR,
                "annual:annual_part",
                [plan.pk, part.pk],
                {"text": MARKUP, "version": part.version},
            )
            return [
                (LEADER, reverse("annual:annual_report", args=[plan.pk])),
                (LEADER, reverse("annual:annual_print", args=[plan.pk])),
                (COORDINATOR, reverse("annual:annual_part", args=[plan.pk, part.pk])),
            ]
        case "annual head":
            post(
                COORDINATOR,
                "annual:annual_head",
                [plan.pk],
                {"title": MARKUP, "issuer": SCRIPT, "addressee": MARKUP, "version": draft.version},
            )
            return [
                (LEADER, reverse("annual:annual_report", args=[plan.pk])),
                (LEADER, reverse("annual:annual_print", args=[plan.pk])),
            ]
        case "imported plan":
            post(COORDINATOR, "importing:import_plan", [], {"text": HOSTILE_NOTICE})
            digest = client.get(reverse("importing:import_preview")).context["form"].initial["digest"]
            post(
                COORDINATOR,
                "importing:import_preview",
                [],
                {"digest": digest, "action_0": "create", "kind_0": "city_department", "publish": "on"},
            )
            imported = WorkPlan.objects.get(doc_number="聊政办字〔2031〕77号")
            task = imported.tasks.get(number=1)
            return [
                (COORDINATOR, reverse("importing:import_preview")),
                (COORDINATOR, reverse("tasks:plan_detail", args=[imported.pk]), [SCRIPT]),  # the titles
                (COUNTY_REPORTER, reverse("tasks:task_detail", args=[task.pk])),
                (COUNTY_REPORTER, reverse("tasks:task_list", args=[imported.pk]), [SCRIPT]),
            ]
    raise AssertionError(what)


STORED = [
    "report",
    "return note",
    "accept note",
    "objection",
    "insist note",
    "extension reason",
    "extension decision",
    "urge note",
    "period name",
    "annual part",
    "annual head",
    "imported plan",
]


@pytest.mark.parametrize("what", STORED)
def test_stored_markup_is_shown_escaped(client, world, draft, what):
    with acting(client, None):
        pages = store_markup(client, world, draft, what)
        for username, url, *shown in pages:
            payloads = shown[0] if shown else [SCRIPT] if what == "period name" else [SCRIPT, IMG]
            login_as(client, username)
            response = client.get(url)
            if url == reverse("importing:import_preview"):
                continue  # gone once imported: the preview was checked before confirming
            body = sane(response)
            assert response.status_code == 200, (what, url)
            for payload in payloads:
                assert escape(payload) in body, (what, url, payload)


# --- every endpoint is attacked --------------------------------------------------------------------------------------

# every URL name, with the test that sends it hostile input
ATTACKED = {
    "home": "test_filter_pages",
    "login": "test_login",
    "logout": "test_login",
    "healthz": "no input",
    "tasks:plan_list": "test_filter_pages",
    "tasks:plan_detail": "test_filter_pages",
    "tasks:plan_publish": "test_task_choose_group",
    "tasks:plan_close": "test_plan_close_reopen_and_as_of",
    "tasks:plan_reopen": "test_plan_close_reopen_and_as_of",
    "tasks:task_list": "test_filter_pages",
    "tasks:task_detail": "test_filter_pages",
    "tasks:task_choose_group": "test_task_choose_group",
    "tasks:period_list": "test_period_create",
    "tasks:period_lock": "test_period_lock",
    "tasks:assignment_add": "test_assignment_control",
    "tasks:assignment_remove": "test_assignment_control",
    "tasks:assignment_role": "test_assignment_control",
    "tasks:assignment_deadline": "test_assignment_control",
    "tasks:task_deadline": "test_assignment_control",
    "tasks:task_complete": "test_assignment_control",
    "tasks:task_reopen": "test_assignment_control",
    "tasks:period_edit": "test_assignment_control",
    "tasks:plan_unit_approval": "test_assignment_control",
    "tasks:receipts": "test_filter_pages",
    "tasks:consolidation": "test_filter_pages",
    "tasks:my_tasks": "test_filter_pages",
    "tasks:receipt_confirm": "test_receipt_by_the_unit",
    "tasks:receipt_contest": "test_receipt_by_the_unit",
    "tasks:receipt_resolve": "test_receipt_resolve",
    "tasks:extension_request": "test_extension_request",
    "tasks:report_edit": "test_report_edit",
    "tasks:report_detail": "test_filter_pages",
    "tasks:report_submit": "test_report_actions",
    "tasks:report_approve": "test_report_actions",
    "tasks:report_accept": "test_report_actions",
    "tasks:report_return": "test_report_actions",
    "tasks:attachment": "test_wrong_ids",
    "tasks:review_queue": "test_filter_pages",
    "tasks:review_accept_many": "test_review_accept_many",
    "importing:import_edit": "test_plan_import_fixes",
    "tasks:missing_reports": "test_heavy_filter_pages",
    "tasks:urge": "test_urge",
    "tasks:extensions": "test_filter_pages",
    "tasks:extension_decide": "test_extension_decide",
    "notifications:list": "test_filter_pages",
    "notifications:open": "test_notifications",
    "notifications:read_all": "test_notifications",
    "importing:import_plan": "test_plan_import",
    "importing:import_preview": "test_plan_import",
    "dashboards:dashboard": "test_filter_pages",
    "dashboards:dashboard_units": "test_filter_pages",
    "dashboards:dashboard_units_xlsx": "test_heavy_filter_pages",
    "dashboards:matrix": "test_filter_pages",
    "dashboards:matrix_xlsx": "test_heavy_filter_pages",
    "dashboards:dashboard_list": "test_filter_pages",
    "dashboards:public_switch": "test_public_switch",
    "dashboards:public_dashboard": "test_filter_pages",
    "annual:annual_report": "test_filter_pages",
    "annual:annual_assemble": "test_annual_report",
    "annual:annual_head": "test_annual_report",
    "annual:annual_part": "test_annual_report",
    "annual:annual_part_replace": "test_annual_report",
    "annual:annual_part_dismiss": "test_annual_report",
    "annual:annual_print": "test_annual_report",
    "annual:annual_docx": "test_annual_report",
    "annual:annual_template": "test_annual_template",
    "annual:annual_template_preset": "test_annual_template",
    "annual:annual_figures": "test_annual_report",
    "annual:annual_figures_xlsx": "test_annual_report",
    "annual:ledger": "test_heavy_filter_pages",
    "units:user_list": "test_filter_pages",
    "units:password_reset": "test_password_reset",
    "units:account_create": "test_account_create",
    "units:account_import": "test_account_import",
    "units:account_template": "test_account_import",
    "units:account_deactivate": "test_account_deactivate",
    "tasks:receipt_urge": "test_receipt_urge",
    "tasks:report_approver_return": "test_report_actions",
    "tasks:report_withdraw": "test_report_actions",
    "password_change": "test_password_change",
    "password_change_done": "test_filter_pages",
    "audit:log": "test_filter_pages",
    "assessment:ranking": "test_filter_pages",
    "assessment:ranking_xlsx": "test_filter_pages",
    "assessment:rule": "test_filter_pages",
    "assessment:rule_edit": "test_assessment_forms",
    "assessment:unit_score": "test_filter_pages",
    "assessment:adjust": "test_assessment_forms",
    "assessment:practices": "test_filter_pages",
    "assessment:practice_mark": "test_assessment_forms",
    "assessment:practice_delete": "test_assessment_forms",
    "assessment:circular_list": "test_filter_pages",
    "assessment:circular": "test_filter_pages",
    "assessment:circular_docx": "test_filter_pages",
    "assessment:circular_generate": "test_assessment_forms",
    "assessment:circular_edit": "test_assessment_forms",
    "assessment:circular_publish": "test_assessment_forms",
}


# --- 考核与通报: the rule, adjustments, good practice, the circular ------------------------------------------------

ASSESSMENT_ACTIONS = ["adjust", "rule_edit", "practice_mark", "practice_delete", "circular_generate",
                      "circular_edit", "circular_publish"]
hostile_number = st.one_of(hostile_id, st.sampled_from(["2", "-1.5", "100.1", "1e309", "NaN", "Infinity", "-0"]))


@pytest.mark.parametrize("action", ASSESSMENT_ACTIONS)
@fast(8)
@given(text=hostile_text, number=hostile_number, target=ids("@unit", "@zone_unit", "@period"))
@example(text=SCRIPT, number="2", target="@unit")
@example(text=NUL, number="NaN", target="@zone_unit")
@example(text=LONG, number="1e309", target=HUGE)
def test_assessment_forms(client, world, zone, refs, action, text, number, target):
    from assessment import circular, practice
    from assessment.models import Circular, GoodPractice

    plan, period = world["plan"], world["period"]
    with acting(client, COORDINATOR):
        coordinator = User.objects.get(username=COORDINATOR)
        report = world["report"]
        report.refresh_from_db()
        workflow.submit(report, User.objects.get(username=COUNTY_REPORTER))
        workflow.accept(report, coordinator)
        circular.generate(plan, period, coordinator)
        marked = practice.mark(report, coordinator, "经验")
        match action:
            case "adjust":
                url = reverse("assessment:adjust", args=[plan.pk])
                data = {"unit": resolve(target, refs), "points": number, "reason": text,
                        "period": resolve(target, refs) if target in ("@period", HUGE) else ""}
            case "rule_edit":
                url = reverse("assessment:rule_edit", args=[plan.pk])
                data = {"on_time_points": number, "first_pass_points": text, "complete_points": "2",
                        "receipt_points": number, "receipt_workdays": "5", "urge_deduction": number,
                        "extension_deduction": text}
            case "practice_mark":
                url = reverse("assessment:practice_mark", args=[report.pk])
                data = {"title": text, "passage": text}
            case "practice_delete":
                url = reverse("assessment:practice_delete", args=[marked.pk])
                data = {"x": text}
            case "circular_edit":
                url = reverse("assessment:circular_edit", args=[plan.pk, period.pk])
                draft = Circular.objects.get(plan=plan, period=period)
                data = {name: text for name in ("title", "doc_number", "recipients", *Circular.PARTS, "cc", "issuer")}
                data |= {"issued_on": number, "version": draft.version}
            case _:
                url = reverse(f"assessment:{action}", args=[plan.pk, period.pk])
                data = {"publish": text}
        sane(client.post(url, data))
        page = sane(client.get(reverse("assessment:circular", args=[plan.pk, period.pk])))
        shows_escaped(page, *(getattr(Circular.objects.get(plan=plan, period=period), name)
                              for name in ("title", *Circular.PARTS, "cc")))
        unit_page = sane(client.get(reverse("assessment:unit_score", args=[plan.pk, refs["@unit"]])))
        from assessment.models import ScoreAdjustment

        shows_escaped(unit_page, *ScoreAdjustment.objects.filter(unit_id=refs["@unit"]).values_list("reason", flat=True))
        for item in GoodPractice.objects.filter(report=report):
            assert item.passage == "" or item.passage in report.body
        assert get(client, "assessment:circular_docx", plan.pk, period.pk).status_code == 200


def test_every_endpoint_is_attacked():
    """A new URL of the site's own apps without an entry here fails: say which test sends it bad input."""
    resolver = get_resolver()
    names = {name for name in resolver.reverse_dict if isinstance(name, str)}
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        if namespace in ("admin", "planner"):  # planner: aliases of the old names (tests/planner/test_url_aliases.py)
            continue
        names |= {f"{namespace}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    missing = names - set(ATTACKED)
    assert not missing, f"add these views to ATTACKED (and attack them): {sorted(missing)}"
    for name in ATTACKED:
        with contextlib.suppress(NoReverseMatch):
            reverse(name)  # the name is spelled right when it has no arguments
