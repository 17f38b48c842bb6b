"""R21 across processes: a write made in one process (this test, a command, a worker) is
served by another server process that had the old answer cached, with its production poll
interval, and never a mix of old and new for one product.

Needs PostgreSQL (other processes see only committed data): the second pass of .ci/run.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from media_library.services import media_item_update
from tests.publishing import builders as b

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(settings) -> dict:
    db = connection.settings_dict
    return dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        MEDIA_ROOT=settings.MEDIA_ROOT,
        SHOP_CHANGE_POLL_SECONDS="0.25",  # the production default, not the tests' 0
    )


@pytest.fixture
def server(settings):
    """A gunicorn process on the test database; yields its base URL."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the second run of .ci/run)")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=_env(settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("gunicorn exited at start-up")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        import json

        return json.loads(response.read())


def _until(predicate, seconds: float = 10.0):
    """Poll until the predicate holds (a bound for a broken build, not a timing check)."""
    deadline = time.monotonic() + seconds
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(0.05)
        value = predicate()
    return value


@pytest.fixture
def published(tenant, editor, publisher):
    from publishing.services import products_publish

    product = b.shirt(tenant)
    front, blue = b.image(tenant, editor, "front"), b.image(tenant, editor, "blue")
    b.checkin(
        tenant,
        product,
        editor,
        {
            "matrix": ["color"],
            "master": b.slots([front]),
            "dimensions": [{"values": {"color": "Blue"}, **b.slots([blue])}],
        },
    )
    products_publish(
        tenant=tenant, product_ids=[product.pk], user=publisher, publish_dependencies=True
    )
    return product, front, blue


def test_edit_in_this_process_reaches_a_server_that_had_it_cached(server, published, editor):
    _, front, _ = published
    url = f"{server}/api/v1/tenants/acme/channels/web/products/SHIRT-001-RED-S-SLIM/media?locale=en-us"
    assert _get(url)["default_image"]["alt_text"] == "front"
    assert _get(url)["default_image"]["alt_text"] == "front"  # now cached in that process
    media_item_update(item=front, user=editor, alt_text="front, corrected")
    assert _until(lambda: _get(url)["default_image"]["alt_text"] == "front, corrected")


def test_a_command_publish_reaches_the_server(server, published, editor, settings, tenant):
    product, front, blue = published
    base = f"{server}/api/v1/tenants/acme/channels/web/products"
    red = f"{base}/SHIRT-001-RED-S-SLIM/media?locale=en-us"
    blue_url = f"{base}/SHIRT-001-BLUE-S-SLIM/media?locale=en-us"
    assert [m["id"] for m in _get(red)["primary"]] == [front.pk]
    back = b.image(tenant, editor, "back")
    b.checkin(
        tenant,
        product,
        editor,
        {
            "matrix": ["color"],
            "master": b.slots([back, front]),
            "dimensions": [{"values": {"color": "Blue"}, **b.slots([back, blue])}],
        },
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "publish_media",
            "--tenant",
            "acme",
            "--product",
            "SHIRT-001",
            "--publish-dependencies",
        ],
        cwd=ROOT,
        env=_env(settings),
        check=True,
        capture_output=True,
    )
    assert _until(lambda: [m["id"] for m in _get(red)["primary"]] == [back.pk, front.pk])
    # One product's answers change together: once Red shows the new gallery, so does Blue.
    assert [m["id"] for m in _get(blue_url)["primary"]] == [back.pk, blue.pk]


def test_a_variant_added_elsewhere_answers_on_the_server(server, published, settings):
    from catalog.services import product_dimension_values_add, variant_create

    product, front, _ = published
    url = f"{server}/api/v1/tenants/acme/channels/web/products/SHIRT-001-RED-L-SLIM/media?locale=en-us"
    with pytest.raises(urllib.error.HTTPError):
        _get(url)
    product_dimension_values_add(product=product, dimensions={"size": ["L"]})
    variant_create(
        product=product,
        number="SHIRT-001-RED-L-SLIM",
        values={"color": "Red", "size": "L", "style": "Slim"},
    )

    def answered():
        try:
            return _get(url)["primary"][0]["id"] == front.pk
        except urllib.error.HTTPError:
            return False

    assert _until(answered)
