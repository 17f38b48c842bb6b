"""R12: two users racing to check out the same document; exactly one wins (row lock)."""

import threading

import pytest
from django.db import connection

from assignments import services
from assignments.models import AssignmentDocument, DocumentEvent
from tenants.exceptions import Conflict
from tenants.models import Role

from .factories import context, make_master


@pytest.mark.postgres
@pytest.mark.parametrize("existing", [False, True], ids=["first-checkout", "existing-document"])
def test_concurrent_checkout_has_one_winner(transactional_db, tenant, member, existing):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")
    shirt = make_master(tenant, "SHIRT-001")
    channel, locale = context(tenant, "web", "en-us")
    if existing:
        AssignmentDocument.objects.create(
            tenant=tenant, product=shirt, channel=channel, locale=locale
        )
    users = [member(Role.EDITOR, username=f"racer{n}") for n in range(2)]
    barrier = threading.Barrier(len(users))
    outcomes: dict[str, str] = {}

    def race(user):
        try:
            barrier.wait(timeout=10)
            services.document_checkout(
                tenant=tenant, product=shirt, channel=channel, locale=locale, user=user
            )
            outcomes[user.username] = "won"
        except Conflict as exc:
            outcomes[user.username] = f"conflict: {exc.message}"
        except Exception as exc:  # reported below rather than lost in the thread
            outcomes[user.username] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    results = sorted(outcomes.values())
    assert len(results) == 2, outcomes
    assert results[1] == "won", outcomes
    assert results[0].startswith("conflict: ") and "racer" in results[0], outcomes
    document = AssignmentDocument.objects.get()
    winner = next(name for name, result in outcomes.items() if result == "won")
    assert document.checked_out_by.username == winner
    assert DocumentEvent.objects.filter(action="checkout").count() == 1


@pytest.mark.postgres
def test_concurrent_takeovers_have_one_winner(transactional_db, tenant, member, settings):
    """Issue 15: the take-over rule runs on the locked row, so two users taking over the same
    idle check-out at once end with one holder and one take-over event; the loser is told
    who won (not the former holder)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL (set DATABASE_URL)")
    from datetime import timedelta

    from django.utils import timezone

    settings.CHECKOUT_IDLE_MINUTES = 10
    shirt = make_master(tenant, "SHIRT-001")
    channel, locale = context(tenant, "omnichannel", "neutral")
    holder = member(Role.EDITOR, username="holder")
    services.document_checkout(
        tenant=tenant, product=shirt, channel=channel, locale=locale, user=holder
    )
    past = timezone.now() - timedelta(minutes=11)
    AssignmentDocument.objects.update(checked_out_at=past, updated_at=past)
    users = [member(Role.EDITOR, username=f"taker{n}") for n in range(2)]
    barrier = threading.Barrier(len(users))
    outcomes: dict[str, str] = {}

    def race(user):
        try:
            barrier.wait(timeout=10)
            services.document_checkout(
                tenant=tenant,
                product=shirt,
                channel=channel,
                locale=locale,
                user=user,
                take_over=True,
            )
            outcomes[user.username] = "won"
        except Conflict as exc:
            outcomes[user.username] = f"conflict: {exc.message}"
        except Exception as exc:  # reported below rather than lost in the thread
            outcomes[user.username] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values())[1] == "won", outcomes
    winner = next(name for name, result in outcomes.items() if result == "won")
    loser = next(name for name in outcomes if name != winner)
    # The loser saw the winner's fresh (not idle) check-out, which an editor may not take.
    assert outcomes[loser].startswith("conflict: ") and winner in outcomes[loser], outcomes
    document = AssignmentDocument.objects.get()
    assert document.checked_out_by.username == winner
    events = DocumentEvent.objects.filter(action="takeover")
    assert events.count() == 1 and events.get().detail["former_holder"] == "holder"
