"""What the page may offer a role (R1a). The API enforces the same rules; this only decides
which buttons are enabled, so a viewer is not invited to click what would answer 403."""

from tenants.models import ROLE_RANK, Role


def role_flags(role: str) -> dict[str, bool]:
    rank = ROLE_RANK[Role(role)]
    return {
        "edit": rank >= ROLE_RANK[Role.EDITOR],
        "publish": rank >= ROLE_RANK[Role.PUBLISHER],
        "discard_any": rank >= ROLE_RANK[Role.PUBLISHER],
        "manage_purposes": rank >= ROLE_RANK[Role.ADMIN],
    }
