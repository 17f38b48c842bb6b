"""R18 (issue 16) on PostgreSQL: a manifest import fills the library inside one
transaction, which autovacuum cannot see. Refreshing the planner's statistics from inside
that transaction lets the import's batch lookups probe the unique indexes instead of
reading every item of the tenant made so far (which made the import quadratic); an
ANALYZE that would wait on another session is skipped, and the import never stalls on it.
"""

from __future__ import annotations

import hashlib
import io
import time

import psycopg
import pytest
from django.db import connection
from PIL import Image

from assignments.manifests import importer
from media_library.models import MediaItem
from media_library.services import _media_items_insert
from tenants.statistics import LOCK_WAIT, GrowthAnalyzer, statistics_refresh
from tests.manifests.helpers import run_import, tsv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ITEMS = 20_000


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's (set DATABASE_URL)")


def _checksum(i: int) -> str:
    return hashlib.sha256(f"item {i}".encode()).hexdigest()


def _items_insert(tenant, count: int) -> None:
    """`count` items of `tenant` written in the current transaction, as an import does."""
    for start in range(0, count, 5000):
        _media_items_insert(
            [
                MediaItem(
                    tenant=tenant,
                    kind="image",
                    original_filename=f"{i}.jpg",
                    display_name=f"Item {i}",
                    mime_type="image/jpeg",
                    size=100,
                    checksum=_checksum(i),
                    file=f"bench/{i}.jpg",
                )
                for i in range(start, min(start + 5000, count))
            ]
        )


def _lock_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        return cursor.fetchone()[0]


def _estimated_rows(queryset) -> int:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


def test_the_planner_counts_the_rows_this_transaction_wrote_once_analyzed(tenant):  # R18
    """The root of the quadratic import: without fresh statistics the planner takes a new
    tenant for a few rows and reads them all for each batch's lookups."""
    _items_insert(tenant, ITEMS)

    assert statistics_refresh(MediaItem)

    estimate = _estimated_rows(MediaItem.objects.filter(tenant=tenant).order_by())
    assert ITEMS / 2 <= estimate <= ITEMS * 2
    wanted = [_checksum(i) for i in range(ITEMS - 250, ITEMS + 250)]
    by_checksum = MediaItem.objects.filter(tenant=tenant, checksum__in=wanted).order_by()
    assert _estimated_rows(by_checksum) <= 500
    assert by_checksum.count() == 250


def test_an_analyze_that_would_wait_on_another_session_is_skipped(tenant):  # R18
    settings = connection.settings_dict
    before = _lock_timeout()
    with psycopg.connect(
        host=settings["HOST"] or "localhost",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname=settings["NAME"],
    ) as other:
        other.execute(f'LOCK TABLE "{MediaItem._meta.db_table}" IN SHARE UPDATE EXCLUSIVE MODE')
        started = time.monotonic()

        assert statistics_refresh(MediaItem) is False

        waited = time.monotonic() - started
        other.rollback()
    assert waited < 10, f"waited {waited:.1f} s for a lock of {LOCK_WAIT}"
    # The transaction goes on (the savepoint was rolled back) with its own lock timeout.
    assert _lock_timeout() == before
    _items_insert(tenant, 3)
    assert MediaItem.objects.filter(tenant=tenant).count() == 3


def test_statistics_are_refreshed_each_time_the_rows_have_doubled(monkeypatch):  # R18
    refreshed: list[int] = []
    growth = GrowthAnalyzer(MediaItem, first=100)
    monkeypatch.setattr(
        "tenants.statistics.statistics_refresh",
        lambda *models: refreshed.append(growth.added) or True,
    )

    for _ in range(20):
        growth.grew(50)

    assert refreshed == [100, 200, 400, 800]


def _last_manual_analyze():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [MediaItem._meta.db_table],
        )
        return cursor.fetchone()[0]


def _png(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (i, 90, 200)).save(out, "PNG")
    return out.getvalue()


def test_an_import_analyzes_the_library_as_it_fills_it(tenant, tmp_path, monkeypatch):  # R18
    monkeypatch.setattr(importer, "ANALYZE_FIRST", 10)
    rows = []
    for i in range(30):
        (tmp_path / f"{i}.png").write_bytes(_png(i))
        rows.append(["system_neutral", "Image", f"{i}.png", f"Item {i}", f"alt {i}"])
    text = tsv(
        ["MediaLocale", "MediaType", "MediaImportPath", "MediaDisplayName", "ImageAltText"], *rows
    )
    before = _last_manual_analyze()

    report, _ = run_import(tenant, text, folder=tmp_path)

    assert report.ok and report.counts["media_created"] == 30
    after = _last_manual_analyze()
    assert after is not None and (before is None or after > before)
