"""Forms sent back with errors stay accessible (issue 22): every aria-describedby names an element of the page (the
field's help text `<id>_helptext` or its errors `<id>_error`), and every visible field has a label.

The pages without errors are audited in a browser by tests/e2e/test_accessibility.py; these are the error states,
through the real views.
"""

import re

import pytest
from django.urls import reverse

from tests.conftest import COORDINATOR, COUNTY_REPORTER
from tests.tasks.test_permissions import make_world, request_for

pytestmark = pytest.mark.django_db

DESCRIBED_BY = re.compile(r'aria-describedby="([^"]+)"')
FIELD = re.compile(r"<(input|select|textarea)\b([^>]*)>")


def check(page):
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    missing = [name for names in DESCRIBED_BY.findall(page) for name in names.split() if name not in ids]
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', page))
    unlabelled = []
    for match in FIELD.finditer(page):
        attributes = match.group(2)
        if re.search(r'type="(hidden|submit|button)"', attributes) or "aria-label=" in attributes:
            continue
        if page.rfind("<label", 0, match.start()) > page.rfind("</label>", 0, match.start()):
            continue  # inside its label
        field_id = re.search(r'\sid="([^"]+)"', attributes)
        if field_id is None or field_id.group(1) not in labelled:
            unlabelled.append(attributes.strip()[:60])
    return missing, unlabelled


@pytest.fixture
def world(plan):
    return make_world(plan)


CASES = {
    # name: (user, data that the form refuses)
    "tasks:report_edit": (COUNTY_REPORTER, {"intent": "save", "body": "东昌府区", "progress": "bogus", "version": None}),
    "tasks:receipt_contest": (COUNTY_REPORTER, {"reason": ""}),
    "tasks:extension_request": (COUNTY_REPORTER, {"new_deadline": "明年", "reason": ""}),
    "units:password_reset": (COORDINATOR, {"new_password1": "1", "new_password2": "2"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_refused_form_ties_its_errors_and_help_texts_to_its_fields(login, world, name):
    user, data = CASES[name]
    url, _data = request_for(name, world)
    if "version" in data:
        data = {**data, "version": world["report"].version}
    response = login(user).post(url, data)
    assert response.status_code == 200, (name, response.status_code)  # shown again, with its errors
    page = response.content.decode()
    assert "aria-invalid" in page or 'class="errorlist' in page, name
    missing, unlabelled = check(page)
    assert not missing, f"{name}: aria-describedby names no element: {missing}"
    assert not unlabelled, f"{name}: fields without a label: {unlabelled}"


def test_the_password_change_form_refused(login):
    page = login(COUNTY_REPORTER).post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": "1", "new_password2": "2"}
    ).content.decode()
    missing, unlabelled = check(page)
    assert not missing and not unlabelled, (missing, unlabelled)
    assert 'id="id_new_password1_helptext"' in page
