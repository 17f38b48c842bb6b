"""Bench: the media library's list and facets over a large library (issue 14: "paging over
any library size"), through the API as the library page calls it.

Set-up (untimed): LIBRARY_ITEMS (default 300,000) media rows of one tenant inserted in one
SQL statement (every tenth a video, every third published, every seventh without alt text),
then VACUUM ANALYZE, as autovacuum would leave a real table. Timed: the best of three calls
of each request, in ms; the first page is printed against the same page of a 1,000-item
tenant in the same database as the baseline. The bench tenants are deleted at the end.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/library_bench \
        .venv/bin/python bench/library_scale.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchdb import bench_django  # noqa: E402

os.environ.setdefault("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/library_bench")
bench_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from tenants.models import Membership, Role, Tenant  # noqa: E402

ITEMS = int(os.environ.get("LIBRARY_ITEMS", "300000"))
FACETS = "kind,status,availability,tag,unused,missing_alt,uploaded_by,month"

INSERT = """
insert into media_library_mediaitem (public_id, kind, status, file, original_filename,
  display_name, title, alt_text, caption, description, mime_type, size, checksum, width, height,
  focal_x, focal_y, video_thumbnail, video_captions, transcript, source_provider, source_id,
  version, created_at, updated_at, created_by_id, tenant_id, public_captions_name, public_name,
  public_thumbnail_name, video_captions_checksum, video_thumbnail_checksum, file_version,
  served, usage_rights, placeholder, video_thumbnail_generated)
select gen_random_uuid(), case when g %% 10 = 0 then 'video' else 'image' end,
  case when g %% 3 = 0 then 'published' else 'draft' end, 'x/' || g || '.jpg', 'f' || g || '.jpg',
  'f' || g || '.jpg', 'Item ' || g, case when g %% 7 = 0 then '' else 'alt ' || g end, '', '',
  'image/jpeg', 1000 + g %% 5000, md5(g::text) || md5((g + 1)::text), 100, 100, 0.5, 0.5, '', '',
  '', '', '', 1, now() - (g || ' minutes')::interval, now(), %s, %s, '', '', '', '', '', 1, true,
  '', '{}'::jsonb, false
from generate_series(1, %s) g
"""


def tenant_with(items: int, slug: str):
    tenant = Tenant.objects.create(slug=slug, name=slug)
    user = get_user_model().objects.create(username=f"{slug}-admin")
    Membership.objects.create(tenant=tenant, user=user, role=Role.ADMIN)
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [user.pk, tenant.pk, items])
    client = APIClient()
    client.force_authenticate(user)
    return tenant, user, client


def best_ms(client, path: str, params: dict) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        response = client.get(path, params)
        best = min(best, time.perf_counter() - start)
        assert response.status_code == 200, response.content[:300]
    return best * 1000


def main() -> None:
    made = [tenant_with(1000, "lib-small"), tenant_with(ITEMS, "lib-big")]
    with connection.cursor() as cursor:
        cursor.execute("vacuum analyze media_library_mediaitem")
    try:
        small, big = made[0][2], made[1][2]
        base = "/api/v1/tenants/{}/media/"
        first = {"page_size": 48}
        baseline = best_ms(small, base.format("lib-small"), first)
        print(f"library of {ITEMS:,} items (baseline: the same page of 1,000 items)")
        cases = [
            ("first page, newest first", "", first),
            ("page 100", "", {**first, "page": 100}),
            ("last page", "", {**first, "page": ITEMS // 48}),
            ("status=published", "", {**first, "status": "published"}),
            ("search one word", "", {**first, "q": "12345"}),
            ("unused=true", "", {**first, "unused": "true"}),
            ("facets, all eight", "facets", {"facet": FACETS}),
        ]
        for label, suffix, params in cases:
            ms = best_ms(big, base.format("lib-big") + suffix, params)
            print(f"  {label:28s} {ms:8.1f} ms   {ms / baseline:6.1f}x the baseline page")
        print(f"  baseline first page         {baseline:8.1f} ms")
    finally:
        for tenant, user, _ in made:
            with connection.cursor() as cursor:
                cursor.execute(
                    "delete from media_library_mediaitem where tenant_id = %s", [tenant.pk]
                )
            tenant.delete()
            user.delete()


if __name__ == "__main__":
    main()
