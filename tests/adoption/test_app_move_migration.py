"""The adoption models moved from the project package (`market40`) into the
`adoption` app. A database migrated before the move, holding rollup rows and a
permission granted on them, migrates forward keeping every row, the content
types (same ids) and the permission."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from adoption import models as adoption_models
from tests.adoption.kit import NOW, TODAY, make_vendor

OLD_LAYOUT = ("market40", "0002_rollup_day_index")
MOVED = ["MarketPartnerDay", "VendorDay", "MarketDay", "RollupDay", "MarketRegisterDay", "RollupCheck"]


def _old_rows(market_id: int, vendor_id: int) -> dict[str, dict]:
    return {
        "MarketPartnerDay": {
            "market_id": market_id,
            "partner": "vnpt",
            "day": TODAY,
            "payments_count": 3,
            "payments_amount": 1_250_000,
            "refunds_count": 1,
            "refunds_amount": 50_000,
        },
        "VendorDay": {
            "market_id": market_id,
            "vendor_id": vendor_id,
            "day": TODAY,
            "payments_count": 3,
            "payments_amount": 1_250_000,
            "refunds_amount": 50_000,
        },
        "MarketDay": {"market_id": market_id, "day": TODAY, "transacting_7d": 1, "transacting_30d": 1},
        "RollupDay": {"day": TODAY, "opened_at": NOW},
        "MarketRegisterDay": {
            "market_id": market_id,
            "day": TODAY,
            "in_pilot": True,
            "stalls": 120,
            "vendors_registered": 1,
            "vendors_with_code": 1,
            "recorded_at": NOW,
        },
        "RollupCheck": {
            "started_at": NOW,
            "finished_at": NOW + dt.timedelta(seconds=4),
            "first_day": TODAY,
            "last_day": TODAY,
            "rows_checked": 5,
            "drift_rows": 0,
            "repaired": False,
            "details": {"markets": ["NK01"]},
        },
    }


def _content_type_ids(app_label: str) -> dict[str, int]:
    names = [name.lower() for name in MOVED]
    return dict(ContentType.objects.filter(app_label=app_label, model__in=names).values_list("model", "pk"))


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_keeps_its_rows_and_permissions(market_a):
    vendor = make_vendor(market_a)
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        # Back to the layout before the move: the models belong to `market40`.
        executor.migrate([("adoption", None)])
        ContentType.objects.clear_cache()
        old_apps = MigrationExecutor(connection).loader.project_state(OLD_LAYOUT).apps
        with pytest.raises(LookupError):
            old_apps.get_model("adoption", "MarketPartnerDay")
        rows = _old_rows(market_a.pk, vendor.pk)
        old_ids = {}
        for name, fields in rows.items():
            old_ids[name] = old_apps.get_model("market40", name).objects.create(**fields).pk
        old_types = _content_type_ids("market40")
        assert set(old_types) == {name.lower() for name in MOVED}
        clerk = User.objects.create_user(username="can_bo_so")
        clerk.user_permissions.add(
            Permission.objects.get(codename="view_marketpartnerday", content_type_id=old_types["marketpartnerday"])
        )
    finally:
        MigrationExecutor(connection).migrate(leaves)
        ContentType.objects.clear_cache()

    for name, fields in rows.items():
        model = getattr(adoption_models, name)
        assert model._meta.db_table == f"market40_{name.lower()}"
        assert list(model.objects.values("pk", *fields)) == [{"pk": old_ids[name], **fields}]
    assert _content_type_ids("adoption") == old_types
    assert _content_type_ids("market40") == {}
    assert User.objects.get(pk=clerk.pk).has_perm("adoption.view_marketpartnerday")
    applied = MigrationRecorder(connection).applied_migrations()
    assert {OLD_LAYOUT, ("adoption", "0001_initial"), ("market40", "0003_adoption_models_moved")} <= set(applied)
