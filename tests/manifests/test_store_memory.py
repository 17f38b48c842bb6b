"""R18 (issue 16): the apply step holds one batch of documents in memory at a time. The
store reads documents a window at a time (2,000) and hands them out in batches sized by
their entries; the apply step fills each batch's plans with their entries and new items'
plans. A plan handed out must not stay referenced by the store once the caller moves on,
or a whole window's entries are held at once (a 1,000,000-row import grew by 40 MB a
batch until the window ended)."""

from __future__ import annotations

import gc
import weakref

from assignments.manifests.plan import DocumentPlan, EntryPlan
from assignments.manifests.store import PlanStore


def _plan(idx: int) -> DocumentPlan:
    return DocumentPlan(
        product_id=idx + 1,
        product_number=f"P{idx}",
        channel_id=1,
        channel_code="web",
        locale_id=1,
        locale_code="en-us",
        entry_count=1,
        idx=idx,
    )


def test_a_batch_is_freed_when_the_next_one_is_asked_for():  # R18
    with PlanStore() as store:
        store.documents_save(_plan(i) for i in range(6))
        batches = store.documents(batch=10, entries=2)
        first = next(batches)
        assert [p.idx for p in first] == [0, 1]
        for plan in first:
            plan.entries = [EntryPlan.__new__(EntryPlan) for _ in range(1000)]
        watched = [weakref.ref(plan) for plan in first]
        del first, plan
        second = next(batches)
        gc.collect()
        assert [p.idx for p in second] == [2, 3]
        assert all(ref() is None for ref in watched)
        assert [p.idx for batch in batches for p in batch] == [4, 5]
