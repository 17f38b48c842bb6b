"""Production settings fail closed; the entry points default to them; check --deploy is clean."""

import json

import pytest

from tests.deploy.helpers import ROOT, production_env, run_python

REQUIRED = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_production_settings_refuse_to_start_without(tmp_path, name):
    # given every required variable but one
    env = production_env(tmp_path, **{name: ""})
    # when the settings module is imported
    result = run_python("import config.settings.production", env)
    # then it stops, naming the variable
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} is not set" in result.stderr


def test_production_settings_refuse_the_development_secret_key(tmp_path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY="dev-insecure-mediahub-key-change-me")
    result = run_python("import config.settings.production", env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is the development key" in result.stderr


def test_production_settings_never_fall_back_to_development_defaults(tmp_path):
    env = production_env(tmp_path, CELERY_TASK_ALWAYS_EAGER="true", DJANGO_DEBUG="true")
    code = """
import json
import config.settings.production as s
print(json.dumps({
    "debug": s.DEBUG,
    "eager": s.CELERY_TASK_ALWAYS_EAGER,
    "cache": s.CACHES["default"]["BACKEND"],
    "hosts": s.ALLOWED_HOSTS,
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "whitenoise": s.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware")
        == s.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "proxy": s.SECURE_PROXY_SSL_HEADER,
    "formatter": s.LOGGING["handlers"]["console"]["formatter"],
}))
"""
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "eager": False,
        "cache": "django.core.cache.backends.redis.RedisCache",
        "hosts": ["media.example.com", "testserver"],
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "whitenoise": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "formatter": "json",
    }


def test_trusting_x_forwarded_proto_can_be_turned_off(tmp_path):
    env = production_env(tmp_path, DJANGO_TRUST_X_FORWARDED_PROTO="false")
    result = run_python(
        "import config.settings.production as s; print(hasattr(s, 'SECURE_PROXY_SSL_HEADER'))",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', "
        "'--settings=config.settings.production', '--fail-level', 'WARNING'])",
        env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_entry_points_default_to_production_settings(tmp_path, module):
    # given no DJANGO_SETTINGS_MODULE and no secret key
    env = production_env(tmp_path, DJANGO_SECRET_KEY="")
    # when the entry point is loaded the way gunicorn / uvicorn / celery -A would
    code = f"import {module}; from django.conf import settings; settings.DEBUG"
    result = run_python(code, env)
    # then it is the production settings that refuse to start
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set: config.settings.production" in result.stderr


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_entry_points_load_production_settings(tmp_path, module):
    env = production_env(tmp_path)
    code = (
        f"import {module}; from django.conf import settings; "
        "print(settings.SETTINGS_MODULE, settings.DEBUG)"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["config.settings.production", "False"]


def test_manage_py_keeps_local_settings(tmp_path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY="")
    result = run_python(
        "import runpy, sys; sys.argv = ['manage.py', 'diffsettings', '--all']; "
        f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')",
        env,
    )
    assert result.returncode == 0, result.stderr
    assert "SETTINGS_MODULE = 'config.settings.local'" in result.stdout
