"""Production serves the collected static files itself (WhiteNoise): hashed names,
compressed copies, far-future caching."""

import json

from tests.deploy.helpers import production_env, run_python

CODE = """
import json
import django
from django.core.management import call_command

django.setup()
call_command("collectstatic", "--noinput", verbosity=0)

from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

url = staticfiles_storage.url("workspace/css/workspace.css")
client = Client()
plain = client.get(url, secure=True)
gzipped = client.get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({
    "url": url,
    "status": plain.status_code,
    "cache": plain.get("Cache-Control"),
    "type": plain.get("Content-Type"),
    "gzip": gzipped.get("Content-Encoding"),
    "missing": client.get("/static/workspace/css/nope.css", secure=True).status_code,
}))
"""


def test_production_serves_collected_static_files(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="config.settings.production")
    result = run_python(CODE, env, timeout=300)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    # a content-hashed name, so it may be cached forever
    assert answer["url"].startswith("/static/workspace/css/workspace.")
    assert answer["url"] != "/static/workspace/css/workspace.css"
    assert answer["status"] == 200
    assert "max-age=315360000" in answer["cache"] and "immutable" in answer["cache"]
    assert answer["type"].startswith("text/css")
    assert answer["gzip"] == "gzip"
    assert answer["missing"] == 404
