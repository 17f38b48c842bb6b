"""R12 "my open check-outs" (issue 15): the documents the requesting user holds, across
products and contexts, and nobody else's; another tenant's never."""

import pytest

from assignments import services

from .factories import context, make_master, make_simple

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/me/checkouts"


def test_lists_my_checkouts_across_products_only_mine(tenant, editor, publisher, client_for):
    shirt, mug = make_master(tenant, "SHIRT-001"), make_simple(tenant, "MUG-001")
    for product, channel, locale, user in [
        (shirt, "omnichannel", "neutral", editor),
        (mug, "web", "en-us", editor),
        (shirt, "web", "fr-fr", publisher),
    ]:
        channel_row, locale_row = context(tenant, channel, locale)
        services.document_checkout(
            tenant=tenant, product=product, channel=channel_row, locale=locale_row, user=user
        )
    rows = client_for(editor).get(URL).json()
    assert [(r["product"], r["channel"], r["locale"]) for r in rows] == [
        ("SHIRT-001", "omnichannel", "neutral"),
        ("MUG-001", "web", "en-us"),
    ]
    assert rows[0]["name"] == "SHIRT-001" and rows[0]["checked_out_at"]
    mine = client_for(publisher).get(URL).json()
    assert [(r["product"], r["locale"]) for r in mine] == [("SHIRT-001", "fr-fr")]


def test_checked_in_documents_leave_the_list(tenant, editor, client_for):
    mug = make_simple(tenant, "MUG-001")
    channel, locale = context(tenant)
    document = services.document_checkout(
        tenant=tenant, product=mug, channel=channel, locale=locale, user=editor
    )
    assert len(client_for(editor).get(URL).json()) == 1
    services.document_discard(document=document, user=editor)
    assert client_for(editor).get(URL).json() == []


def test_needs_membership_of_the_tenant(tenant, other_tenant, member, client_for):  # R1
    outsider = member(username="ozzy", in_tenant=other_tenant)
    assert client_for(outsider).get(URL).status_code == 404
    assert client_for(None).get(URL).status_code in (401, 403)


def test_idle_checkouts_say_when_they_lapse(tenant, editor, client_for, settings):  # R12
    from datetime import timedelta

    from django.utils import timezone

    from assignments.models import AssignmentDocument

    mug = make_simple(tenant, "MUG-001")
    channel, locale = context(tenant)
    services.document_checkout(
        tenant=tenant, product=mug, channel=channel, locale=locale, user=editor
    )
    row = client_for(editor).get(URL).json()[0]
    assert row["expired"] is False and row["expires_at"]
    past = timezone.now() - timedelta(minutes=settings.CHECKOUT_IDLE_MINUTES + 5)
    AssignmentDocument.objects.filter(product=mug).update(
        checked_out_at=past, saved_at=None, updated_at=past
    )
    assert client_for(editor).get(URL).json()[0]["expired"] is True
