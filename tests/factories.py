"""Factories shared by every test module; app-specific ones live beside their tests."""

import factory
from django.contrib.auth import get_user_model

from tenants.models import Membership, Role
from tenants.services import channel_create, locale_create, tenant_create


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass12345")


def make_tenant(slug: str, *, channels=("web", "pos"), locales=("en-us", "fr-fr", "de-de")):
    """A tenant with Omnichannel/Neutral plus the given real channels and locales."""
    tenant = tenant_create(slug=slug, name=slug.title())
    for code in channels:
        channel_create(tenant=tenant, code=code, name=code.upper())
    for code in locales:
        locale_create(tenant=tenant, code=code)
    return tenant


def make_member(tenant, role: str = Role.EDITOR, username: str | None = None):
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.update_or_create(tenant=tenant, user=user, defaults={"role": role})
    return user
