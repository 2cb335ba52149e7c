"""planner.sessions: Django's database sessions with the per-request read written in SQL. It must answer
exactly as Django's own store does: the data of a live session, nothing (and no key) for an expired or
unknown one."""

import datetime

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from planner.sessions import SessionStore
from tests.conftest import COUNTY_REPORTER, PASSWORD

pytestmark = pytest.mark.django_db


def stored(data, expire_in=datetime.timedelta(hours=1)):
    store = SessionStore()
    store.update(data)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() + expire_in)
    return store.session_key


@pytest.mark.parametrize(
    ("expire_in", "expected"),
    [(datetime.timedelta(hours=1), {"a": 1, "名": "值"}), (datetime.timedelta(seconds=-1), {})],
)
def test_a_session_loads_as_with_djangos_store(expire_in, expected):
    key = stored({"a": 1, "名": "值"}, expire_in)
    ours, django = SessionStore(key), db.SessionStore(key)
    assert ours.load() == django.load() == expected
    assert ours.session_key == django.session_key == (key if expected else None)


def test_an_unknown_key_loads_nothing_and_a_save_makes_a_new_session():
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None
    store["b"] = 2
    store.save()
    assert store.session_key != "x" * 32
    assert SessionStore(store.session_key).load() == {"b": 2}


def test_a_person_stays_logged_in_across_requests_and_is_out_after_logging_out(client):
    response = client.post(reverse("login"), {"username": COUNTY_REPORTER, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("tasks:my_tasks")).status_code == 200
    client.post(reverse("logout"))
    response = client.get(reverse("tasks:my_tasks"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
