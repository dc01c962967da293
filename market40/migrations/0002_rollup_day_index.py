"""The index behind every period and trend read of MarketPartnerDay.

On PostgreSQL it carries the four figures, so those reads are index-only.
This migration was written when the project also ran on SQLite, which has no
INCLUDE and got the key columns alone; the project runs on PostgreSQL only
now, and the branch stays because a migration is history: it must keep
doing what it did for every database it ever ran on."""

from django.db import migrations

COLUMNS = "day, market_id, partner"
FIGURES = "payments_count, payments_amount, refunds_count, refunds_amount"


def create(apps, schema_editor) -> None:
    include = f" INCLUDE ({FIGURES})" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX rollup_day_covering ON market40_marketpartnerday ({COLUMNS}){include}")


def drop(apps, schema_editor) -> None:
    schema_editor.execute("DROP INDEX rollup_day_covering")


class Migration(migrations.Migration):
    dependencies = [("market40", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
