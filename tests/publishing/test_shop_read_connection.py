"""R15: a shop read is one prepared query with no health-check round trip before it, so a
database connection that died since the last request (a restart, a failover) must not turn
into an error: the read reopens the connection and runs once more."""

import psycopg
import pytest
from django.db import connection

from tests.publishing import builders as b

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_shop_read_survives_a_dropped_connection(settings, tenant, editor, publish, shop):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the second run of .ci/run)")
    settings.SHOP_CHANGE_POLL_SECONDS = 60  # no feed poll: the answer query is the first
    numbers = []
    for n in range(2):
        product = b.product_create(tenant=tenant, number=f"CUP-{n}", name="Cup", kind="simple")
        photo = b.image(tenant, editor, f"cup-{n}")
        b.checkin(tenant, product, editor, {"master": b.slots([photo])})
        assert publish(product.number, publish_dependencies=True).status_code == 202
        numbers.append((product.number, photo.pk))
    assert shop(numbers[0][0])["default_image"]["id"] == numbers[0][1]

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"]
    ) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])

    assert shop(numbers[1][0])["default_image"]["id"] == numbers[1][1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_the_shop_read_is_a_prepared_statement(tenant, editor, publish, shop):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the second run of .ci/run)")
    product = b.product_create(tenant=tenant, number="CUP-9", name="Cup", kind="simple")
    photo = b.image(tenant, editor, "cup-9")
    b.checkin(tenant, product, editor, {"master": b.slots([photo])})
    assert publish("CUP-9", publish_dependencies=True).status_code == 202
    shop("CUP-9")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("publishing_shopanswer" in statement for statement in prepared)
