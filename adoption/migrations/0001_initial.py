"""The adoption models, moved here from the project package (`market40`).

Their tables were created by market40/migrations/0001 and 0002 and keep the
names they have (`db_table`), so this migration changes the project's state
only: on a fresh database those two migrations still create the tables, and
on a database migrated before the move every row stays where it is. The
content types follow the models, so the permissions that point at them (and
whoever holds those permissions) carry over; market40/migrations/0003 then
drops the models from the old app's state."""

import django.db.models.deletion
from django.db import migrations, models

MODELS = ["marketpartnerday", "vendorday", "marketday", "rollupday", "marketregisterday", "rollupcheck"]


def _move_content_types(apps, old_label: str, new_label: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for model in MODELS:
        if not content_types.filter(app_label=old_label, model=model).exists():
            continue
        # A row under the new label exists only if something asked for the
        # model's content type while this migration was undone (get_for_model
        # makes one, empty); the old row carries the permissions.
        content_types.filter(app_label=new_label, model=model).delete()
        content_types.filter(app_label=old_label, model=model).update(app_label=new_label)


def content_types_to_adoption(apps, schema_editor) -> None:
    _move_content_types(apps, "market40", "adoption")


def content_types_to_market40(apps, schema_editor) -> None:
    _move_content_types(apps, "adoption", "market40")


STATE = [
    migrations.CreateModel(
        name="RollupCheck",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("started_at", models.DateTimeField()),
            ("finished_at", models.DateTimeField()),
            ("first_day", models.DateField(blank=True, null=True)),
            ("last_day", models.DateField(blank=True, null=True)),
            ("rows_checked", models.PositiveIntegerField(default=0)),
            ("drift_rows", models.PositiveIntegerField(default=0)),
            ("repaired", models.BooleanField(default=False)),
            ("details", models.JSONField(default=dict)),
        ],
        options={
            "verbose_name": "lần kiểm tra số liệu tổng hợp",
            "verbose_name_plural": "các lần kiểm tra số liệu tổng hợp",
            "db_table": "market40_rollupcheck",
            "ordering": ["-started_at", "-id"],
        },
    ),
    migrations.CreateModel(
        name="RollupDay",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("day", models.DateField(unique=True)),
            ("opened_at", models.DateTimeField()),
        ],
        options={
            "verbose_name": "ngày đã tổng hợp",
            "verbose_name_plural": "ngày đã tổng hợp",
            "db_table": "market40_rollupday",
        },
    ),
    migrations.CreateModel(
        name="MarketDay",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("day", models.DateField()),
            ("transacting_7d", models.PositiveIntegerField(default=0)),
            ("transacting_30d", models.PositiveIntegerField(default=0)),
            (
                "market",
                models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="merchants.market"),
            ),
        ],
        options={
            "verbose_name": "số tiểu thương giao dịch theo ngày",
            "verbose_name_plural": "số tiểu thương giao dịch theo ngày",
            "db_table": "market40_marketday",
            "indexes": [models.Index(fields=["day"], name="market40_ma_day_6cae32_idx")],
            "constraints": [
                models.UniqueConstraint(fields=("market", "day"), name="one_activity_count_per_market_day")
            ],
        },
    ),
    migrations.CreateModel(
        name="MarketPartnerDay",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            (
                "partner",
                models.CharField(
                    choices=[("vnpt", "VNPT Money"), ("viettel", "Viettel Money"), ("mobifone", "MobiFone Money")],
                    max_length=12,
                ),
            ),
            ("day", models.DateField()),
            ("payments_count", models.PositiveIntegerField(default=0)),
            ("payments_amount", models.BigIntegerField(default=0)),
            ("refunds_count", models.PositiveIntegerField(default=0)),
            ("refunds_amount", models.BigIntegerField(default=0)),
            (
                "market",
                models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="merchants.market"),
            ),
        ],
        options={
            "verbose_name": "tổng hợp ngày theo chợ và ví",
            "verbose_name_plural": "tổng hợp ngày theo chợ và ví",
            "db_table": "market40_marketpartnerday",
            "constraints": [
                models.UniqueConstraint(fields=("market", "partner", "day"), name="one_rollup_per_market_partner_day")
            ],
        },
    ),
    migrations.CreateModel(
        name="MarketRegisterDay",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("day", models.DateField()),
            ("in_pilot", models.BooleanField()),
            ("stalls", models.PositiveIntegerField()),
            ("vendors_registered", models.PositiveIntegerField()),
            ("vendors_with_code", models.PositiveIntegerField()),
            ("recorded_at", models.DateTimeField()),
            (
                "market",
                models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="merchants.market"),
            ),
        ],
        options={
            "verbose_name": "ảnh chụp sổ chợ theo ngày",
            "verbose_name_plural": "ảnh chụp sổ chợ theo ngày",
            "db_table": "market40_marketregisterday",
            "indexes": [models.Index(fields=["day"], name="market40_ma_day_942253_idx")],
            "constraints": [
                models.UniqueConstraint(fields=("market", "day"), name="one_register_snapshot_per_market_day")
            ],
        },
    ),
    migrations.CreateModel(
        name="VendorDay",
        fields=[
            ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
            ("day", models.DateField()),
            ("payments_count", models.PositiveIntegerField(default=0)),
            ("payments_amount", models.BigIntegerField(default=0)),
            ("refunds_amount", models.BigIntegerField(default=0)),
            (
                "market",
                models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="merchants.market"),
            ),
            (
                "vendor",
                models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="merchants.vendor"),
            ),
        ],
        options={
            "verbose_name": "hoạt động ngày của tiểu thương",
            "verbose_name_plural": "hoạt động ngày của tiểu thương",
            "db_table": "market40_vendorday",
            "indexes": [models.Index(fields=["market", "day"], name="market40_ve_market__6e6f86_idx")],
            "constraints": [
                models.UniqueConstraint(fields=("market", "vendor", "day"), name="one_activity_per_vendor_day")
            ],
        },
    ),
]


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("merchants", "0002_market_register"),
        # The tables and the covering index this app's models use.
        ("market40", "0002_rollup_day_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=STATE),
        migrations.RunPython(content_types_to_adoption, content_types_to_market40),
    ]
