"""The adoption models now belong to the `adoption` app (its migration 0001
takes them over with their tables): the project package forgets them, in
its state only, so no table is dropped."""

from django.db import migrations

MOVED = ["MarketPartnerDay", "VendorDay", "MarketDay", "RollupDay", "MarketRegisterDay", "RollupCheck"]


class Migration(migrations.Migration):
    dependencies = [
        ("market40", "0002_rollup_day_index"),
        ("adoption", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name=name) for name in MOVED]),
    ]
