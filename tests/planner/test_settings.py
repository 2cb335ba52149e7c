import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from planner.settings import DEMO_SECRET_KEY, envbool, envint, envlist


def test_envbool_reads_yes_and_no(monkeypatch):
    monkeypatch.setenv("X_FLAG", "true")
    assert envbool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert envbool("X_FLAG", True) is False
    monkeypatch.delenv("X_FLAG")
    assert envbool("X_FLAG", True) is True


def test_a_bad_value_stops_start_up_loudly(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        envbool("X_FLAG", False)
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_NUMBER"):
        envint("X_NUMBER", 1)


def test_envlist_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_HOSTS", "a.example, b.example,")
    assert envlist("X_HOSTS", []) == ["a.example", "b.example"]


def test_the_site_speaks_chinese_in_shanghai_time(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.AUTH_USER_MODEL == "units.User"
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


# --- production mode (DJANGO_ENV=production), checked in a fresh interpreter --------------------------------

PROJECT = Path(__file__).resolve().parents[2]
REAL_KEY = "kJ8s-2Qv_xN7pL0aZ3mR9tY6wE1uI4oP5sD8fG2hK7jL0zX3cV6bN9mQ1wE4rT7y"  # 64 random characters


def run_django(tmp_path, code_or_command, **env):
    """Runs Django in a subprocess with only the given settings in the environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "SECRET", "ALLOWED", "DEBUG", "DATABASE"))}
    base.update({"DJANGO_SETTINGS_MODULE": "planner.settings", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", **env})
    if isinstance(code_or_command, str):
        args = [sys.executable, "-c", code_or_command]
    else:
        args = [sys.executable, "manage.py", *code_or_command]
    return subprocess.run(args, cwd=PROJECT, env=base, capture_output=True, text=True, timeout=60)


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = run_django(
        tmp_path,
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_ENV="production",
        SECRET_KEY=REAL_KEY,
        ALLOWED_HOSTS="plan.example.gov.cn",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_mode_switches_on_https_hsts_and_secure_cookies(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG)"
    )
    result = run_django(
        tmp_path, code, DJANGO_ENV="production", SECRET_KEY=REAL_KEY, ALLOWED_HOSTS="plan.example.gov.cn"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000", "True", "True", "False"]
    # The default (development / demo) mode runs with no environment at all, over plain HTTP.
    result = run_django(tmp_path, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "0", "False", "False", "False"]


REFUSED = [
    ({"ALLOWED_HOSTS": "plan.example.gov.cn"}, "SECRET_KEY"),  # no key
    ({"ALLOWED_HOSTS": "plan.example.gov.cn", "SECRET_KEY": DEMO_SECRET_KEY}, "SECRET_KEY"),
    ({"ALLOWED_HOSTS": "plan.example.gov.cn", "SECRET_KEY": "short-key"}, "SECRET_KEY"),
    ({"SECRET_KEY": REAL_KEY}, "ALLOWED_HOSTS"),  # no hosts
    ({"SECRET_KEY": REAL_KEY, "ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
    ({"SECRET_KEY": REAL_KEY, "ALLOWED_HOSTS": "plan.example.gov.cn", "DEBUG": "1"}, "DEBUG"),
]


def test_production_mode_refuses_to_start_without_a_real_key_and_hosts(tmp_path):
    def start(env):
        return run_django(tmp_path, "import django; django.setup()", DJANGO_ENV="production", **env)

    with ThreadPoolExecutor(max_workers=len(REFUSED)) as pool:  # one interpreter per case, side by side
        results = list(pool.map(start, [env for env, _ in REFUSED]))
    for (env, named), result in zip(REFUSED, results, strict=True):
        assert result.returncode != 0, env
        assert "ImproperlyConfigured" in result.stderr, env
        assert f"{named} must" in result.stderr, env


def test_a_mistyped_mode_is_refused(tmp_path):
    result = run_django(tmp_path, "import django; django.setup()", DJANGO_ENV="prod")
    assert result.returncode != 0 and "DJANGO_ENV must be 'production'" in result.stderr


# --- database connections: persistent and checked by default, CONN_MAX_AGE=0 switches it off ----------------

SHOW_CONNECTION = (
    "import django; django.setup(); from django.conf import settings; d = settings.DATABASES['default'];"
    "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
)


@pytest.mark.parametrize(
    ("env", "shown"),
    [
        ({"CONN_MAX_AGE": "", "CONN_HEALTH_CHECKS": ""}, "60 True"),
        ({"CONN_MAX_AGE": "0", "CONN_HEALTH_CHECKS": ""}, "0 True"),
        ({"CONN_MAX_AGE": "300", "CONN_HEALTH_CHECKS": "0"}, "300 False"),
    ],
)
def test_connections_persist_with_health_checks_unless_told_otherwise(tmp_path, env, shown):
    result = run_django(tmp_path, SHOW_CONNECTION, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


def test_a_negative_connection_age_is_refused(tmp_path):
    result = run_django(tmp_path, SHOW_CONNECTION, CONN_MAX_AGE="-1")
    assert result.returncode != 0
    assert "CONN_MAX_AGE must be 0 or more seconds" in result.stderr


SHOW_PG_OPTIONS = (
    "import django; django.setup(); from django.conf import settings;"
    "print(settings.DATABASES['default']['OPTIONS'].get('options', '-'))"
)


@pytest.mark.parametrize(("env", "shown"), [({"PG_JIT": ""}, "-c jit=off"), ({"PG_JIT": "1"}, "-")])
def test_postgresql_connections_compile_no_jit_unless_told(tmp_path, env, shown):
    """JIT compiled the past-day dashboards' counts for ~10 s to run them in 0.5 s (docs/benchmarks/issue16.md)."""
    result = run_django(tmp_path, SHOW_PG_OPTIONS, DATABASE_URL="postgres://u@127.0.0.1:5432/x", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == shown


@pytest.mark.django_db
def test_the_postgresql_session_has_jit_off():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


# --- password validators speak Chinese where passwords are set ----------------------------------------------


@pytest.mark.django_db
def test_password_rules_are_explained_in_chinese(login):
    from django.urls import reverse

    from tests.conftest import ADMIN, COUNTY_REPORTER, user

    target = user(COUNTY_REPORTER)
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    client = login(ADMIN)
    page = client.post(url, {"password1": "1234567", "password2": "1234567"}).content.decode()
    assert "密码长度太短。密码必须包含至少 8 个字符。" in page
    assert "这个密码太常见了。" in page
    assert "密码只包含数字。" in page
    page = client.post(url, {"password1": "dongchangfu1", "password2": "dongchangfu1"}).content.decode()
    assert "密码跟 用户名 太相似了。" in page
    target.refresh_from_db()
    assert target.check_password("Demo@2022")  # nothing was changed
