"""axe-core (WCAG 2.0/2.1 A and AA rules) over every page of every role, at 1280 px and at 200 % zoom (issue 22).

The pages are the GET rows of the permission table (tests/tasks/test_permissions.py: EXPECTED) that answer 200
for a role, plus the foundation pages it covers elsewhere; a view added to the table is covered here too.
200 % zoom is a 1280 px screen zoomed to 200 %: a 640 px-wide CSS viewport with device_scale_factor 2, which is
what the browser lays out when the user zooms (media queries below 720 px apply). Each page is loaded once per
role (one browser context per role, device_scale_factor 2), audited at 1280 × 800, resized to 640 × 400 and
audited again; a page whose main part another role already showed is not audited twice (each role's first
page is, with its header). The import preview, which needs a notice in the session, is audited too.

axe-core 4.14.1 is vendored in tests/e2e/axe/ (from the npm registry, MPL-2.0; never served by the product). The
product's CSP forbids injected scripts; only these test contexts bypass it, to add axe.
"""

import hashlib
import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tasks.models import WorkPlan
from tests.conftest import ADMIN, DOC_NUMBER, PASSWORD
from tests.e2e.conftest import SCREENSHOTS
from tests.importing.test_service import NOTICE
from tests.tasks.test_permissions import COORDINATOR, EXPECTED, ROLES, make_world, request_for
from units.models import User

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = {"serious", "critical"}
VIEWPORTS = {"1280px": {"width": 1280, "height": 800}, "200%": {"width": 640, "height": 400}}
LOGGED_IN = [role for role in ROLES if role != "anonymous"] + [ADMIN]
SHARED_PART = "document.querySelector('main').outerHTML"
# Beyond axe: aria-describedby must name elements that exist (a help text tied to its field), and at 200 % every
# cell of a data table (its header row hidden below 720 px) says which column it is in.
OWN_CHECKS = """() => {
  const found = [];
  for (const field of document.querySelectorAll("[aria-describedby]")) {
    for (const id of field.getAttribute("aria-describedby").split(/\\s+/)) {
      if (id && !document.getElementById(id)) found.push({id: "aria-describedby-missing", target: `#${field.id} → #${id}`});
    }
  }
  // the matrix's cells: axe leaves text on a cell's own background "incomplete"; their letters need 4.5:1 too
  const luminance = (rgb) => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map((v) => v / 255)
      .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  for (const link of document.querySelectorAll("td.mx a")) {
    const [fore, back] = [luminance(getComputedStyle(link).color), luminance(getComputedStyle(link.parentElement).backgroundColor)];
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    if (ratio < 4.5) found.push({id: "matrix-contrast", target: `${link.parentElement.className} "${link.textContent}" ${ratio.toFixed(2)}:1`});
  }
  if (window.innerWidth < 720) {
    for (const cell of document.querySelectorAll("table.grid td:not([colspan])")) {
      if (!cell.dataset.label && cell.offsetParent !== null) found.push({id: "cell-without-data-label", target: cell.closest("table").className + " > td: " + cell.textContent.trim().slice(0, 20)});
    }
  }
  return found;
}"""
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


def foundation_pages(world, role):
    """Pages tests/tasks/test_permissions.py leaves to other tests (COVERED_ELSEWHERE), for a logged-in role."""
    plan, task = world["plan"], world["task"]
    urls = [
        reverse("home"),
        reverse("tasks:plan_list"),
        reverse("tasks:plan_detail", args=[plan.pk]),
        reverse("tasks:task_list", args=[plan.pk]),
        reverse("tasks:task_detail", args=[task.pk]),
        reverse("password_change"),
    ]
    if role in (COORDINATOR, ADMIN):
        urls.append(reverse("importing:import_plan"))
    return urls


def pages_by_role(world):
    """{role: [url, ...]}: every HTML page the role may open (downloads are left out: one GET of each tells)."""
    table = {}
    client = Client()
    for name, (method, outcomes) in EXPECTED.items():
        if method == "get" and 200 in outcomes.values():
            url = request_for(name, world)[0]
            client.force_login(User.objects.get(username=next(r for r, s in outcomes.items() if s == 200)))
            if client.get(url)["Content-Type"].startswith("text/html"):
                table[name] = (url, outcomes)
    pages = {"anonymous": [reverse("login")]}
    for role in LOGGED_IN:
        as_role = COORDINATOR if role == ADMIN else role  # the admin sees what the coordinator sees
        urls = foundation_pages(world, role)
        pages[role] = urls + [url for url, outcomes in table.values() if outcomes.get(as_role) == 200]
    return pages


def log_in(page, username):
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/)"))


def audit_both_widths(page, role, where):
    """The page as it is, at 1280 px and at 640 px: ([(where, violation)], [own check message])."""
    page.add_script_tag(content=AXE)
    findings, own = [], []
    for viewport, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        findings += [((viewport, role, where), v) for v in page.evaluate(RUN_AXE, TAGS)]
        own += [f"{p['id']}: {where} as {role} at {viewport}: {p['target']}" for p in page.evaluate(OWN_CHECKS)]
    return findings, own


def describe(findings):
    lines = []
    for (viewport, role, url), violation in findings:
        targets = ", ".join(violation["targets"][:3])
        more = len(violation["targets"]) - 3
        lines.append(
            f"{violation['id']} ({violation['impact']}): {url} as {role} at {viewport}: "
            f"{len(violation['targets'])} element(s): {targets}{f' … +{more}' if more > 0 else ''} — {violation['help']}"
        )
    return "\n".join(lines)


def import_preview(browser, site):
    """The import preview needs a notice in the session, so the permission table cannot open it: audited here,
    before and after a refused confirmation (its error messages)."""
    context = browser.new_context(
        locale="zh-CN", base_url=site, bypass_csp=True, device_scale_factor=2, viewport=VIEWPORTS["1280px"]
    )
    page = context.new_page()
    log_in(page, COORDINATOR)
    page.goto(reverse("importing:import_plan"))
    page.locator("textarea").fill(NOTICE)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".task-row")
    findings, own = audit_both_widths(page, COORDINATOR, "导入预览")
    page.set_viewport_size(VIEWPORTS["1280px"])
    page.locator("main form button[type=submit]", has_text="确认导入").click()
    page.wait_for_selector("[role=alert]")
    more, more_own = audit_both_widths(page, COORDINATOR, "导入预览（有错误）")
    context.close()
    return findings + more, own + more_own


def test_no_serious_or_critical_wcag_violation_on_any_page_of_any_role(browser, site):
    started = time.monotonic()
    world = make_world(WorkPlan.objects.get(doc_number=DOC_NUMBER))
    pages = pages_by_role(world)
    prepared = time.monotonic() - started
    findings, own, seen, audited, timings = [], [], set(), 0, []
    for role, urls in pages.items():
        # one context per role; each page is audited at one width, resized, and audited at the other
        context = browser.new_context(
            locale="zh-CN", base_url=site, bypass_csp=True, device_scale_factor=2, viewport=VIEWPORTS["1280px"]
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        if role != "anonymous":
            log_in(page, role)
        order = list(VIEWPORTS)
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, (role, url, response.status)
            # a page whose main part another role already showed is audited once; each role's first page is
            # always audited, with the role's header and navigation
            html = re.sub(r'value="[^"]{20,}"', "", page.evaluate(SHARED_PART))
            key = hashlib.sha256(html.encode()).hexdigest()
            if key in seen and url != urls[0]:
                continue
            seen.add(key)
            page.add_script_tag(content=AXE)
            for index, viewport in enumerate(order):
                if index:
                    page.set_viewport_size(VIEWPORTS[viewport])
                audited += 1
                tick = time.monotonic()
                violations = page.evaluate(RUN_AXE, TAGS)
                timings.append((round(time.monotonic() - tick, 2), viewport, role, url))
                for violation in violations:
                    findings.append(((viewport, role, url), violation))
                for problem in page.evaluate(OWN_CHECKS):
                    own.append(f"{problem['id']}: {url} as {role} at {viewport}: {problem['target']}")
            order.reverse()  # the next page starts at the width this one ends at
        context.close()
    more, more_own = import_preview(browser, site)
    findings, own, audited = findings + more, own + more_own, audited + 4
    elapsed = time.monotonic() - started

    count = sum(len(urls) for urls in pages.values())
    by_rule = Counter()
    for _where, violation in findings:
        by_rule[(violation["id"], violation["impact"])] += len(violation["targets"])
    SCREENSHOTS.mkdir(exist_ok=True)
    summary = {
        "pages": count,
        "audited": audited,
        "seconds": round(elapsed, 1),
        "seconds_to_prepare": round(prepared, 1),
        "seconds_in_axe": round(sum(t[0] for t in timings), 1),
        "slowest": sorted(timings, reverse=True)[:10],
        "by_rule": {f"{rule} ({impact})": n for (rule, impact), n in by_rule.most_common()},
        "pages_by_rule": {
            rule: len({where[2] for where, v in findings if v["id"] == rule}) for rule, _i in by_rule
        },
        "findings": [{"where": list(where), **violation} for where, violation in findings],
    }
    (SCREENSHOTS / "axe-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
    print(f"axe: {count} (role, page) pairs, {audited} audited, {elapsed:.0f} s, by rule: {summary['by_rule']}")

    summary["own_checks"] = own
    (SCREENSHOTS / "axe-summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), "utf-8")
    serious = [(where, v) for where, v in findings if v["impact"] in FAILING]
    assert not serious, "serious or critical WCAG 2.1 AA violations:\n" + describe(serious)
    assert not own, "\n".join(own[:40])
