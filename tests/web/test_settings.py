"""Settings from the environment: typed helpers that fail loudly, and production checks."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ismonitor.web.env import EnvError, env_bool, env_int, env_list, env_secret, env_str


def test_env_str_requires_a_variable_without_default(monkeypatch):
    monkeypatch.delenv("ISM_X", raising=False)
    with pytest.raises(EnvError, match="ISM_X is not set"):
        env_str("ISM_X")
    assert env_str("ISM_X", "d") == "d"


@pytest.mark.parametrize(("text", "value"), [("1", True), ("Yes", True), ("off", False)])
def test_env_bool_reads_yes_and_no(monkeypatch, text, value):
    monkeypatch.setenv("ISM_X", text)
    assert env_bool("ISM_X", not value) is value


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("ISM_X", "maybe")
    with pytest.raises(EnvError, match="ISM_X='maybe' is not a yes/no value"):
        env_bool("ISM_X", False)


def test_env_int_refuses_a_word(monkeypatch):
    monkeypatch.setenv("ISM_X", "ten")
    with pytest.raises(EnvError, match="ISM_X='ten' is not a whole number"):
        env_int("ISM_X", 1)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ISM_X", "a.nl, b.nl,")
    assert env_list("ISM_X", []) == ["a.nl", "b.nl"]


def test_env_secret_reads_a_file(monkeypatch, tmp_path):
    (tmp_path / "key").write_text("s3cret\n")
    monkeypatch.delenv("ISM_KEY", raising=False)
    monkeypatch.setenv("ISM_KEY_FILE", str(tmp_path / "key"))
    assert env_secret("ISM_KEY") == "s3cret"
    monkeypatch.setenv("ISM_KEY", "other")
    with pytest.raises(EnvError, match="both ISM_KEY and ISM_KEY_FILE"):
        env_secret("ISM_KEY")


def _manage(tmp_path, *args, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("ISMONITOR_", "DJANGO_"))
    }
    environment.pop("SECRET_KEY", None)
    environment.update(ISMONITOR_DATA_DIR=str(tmp_path), **env)
    return subprocess.run(
        [sys.executable, "-m", "ismonitor.web.manage", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


PRODUCTION = {
    "ISMONITOR_ENV": "production",
    "SECRET_KEY": "k3y-" + "x9Q!" * 15,
    "ALLOWED_HOSTS": "ismonitor.example.org",
}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = _manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) is required" in result.stderr


def test_production_hashes_passwords_with_argon2_first(tmp_path):
    result = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])",
        **PRODUCTION,
    )
    assert result.stdout.strip().splitlines()[-1] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )


def test_responses_carry_the_security_headers(client, db):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_it_runs_on_the_database_asked_for(db):
    from django.db import connection

    expected = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
    assert connection.vendor == expected
