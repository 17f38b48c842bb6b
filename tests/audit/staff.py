"""The admin door in audit tests."""

from django.contrib.auth.models import Permission
from django.test import Client


def staff_client(user) -> Client:
    """A staff login holding every Django model permission: only the role may decide."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client
