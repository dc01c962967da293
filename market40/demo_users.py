"""One login per role for the demo. Printed by `make demo`."""

from django.contrib.auth.models import User

from core.models import Role, StaffProfile
from merchants.models import Market

DEMO_PASSWORD = "cho40-demo"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS = [
    ("bql_tanan", Role.BOARD, ["NK01"], "Ban quản lý Chợ Tân An (thí điểm)"),
    ("so_congthuong", Role.DEPARTMENT, [], "Cán bộ Sở Công Thương"),
    ("van_hanh", Role.OPERATOR, [], "Cán bộ vận hành"),
]


def ensure_demo_users() -> dict[str, User]:
    users = {}
    for username, role, market_codes, _label in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = role == Role.OPERATOR
        user.save()
        profile, _ = StaffProfile.objects.update_or_create(user=user, defaults={"role": role})
        profile.markets.set(Market.objects.filter(code__in=market_codes))
        users[username] = user
    return users
