from django.db import migrations

INDEX = "settlementline_file"


def _create(apps, schema_editor) -> None:
    # BRIN on PostgreSQL (see SettlementLine.Meta); a plain index elsewhere.
    table = apps.get_model("reconciliation", "SettlementLine")._meta.db_table
    method = "USING brin " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} {method}(file_id)")


def _drop(apps, schema_editor) -> None:
    schema_editor.execute(f"DROP INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reconciliation", "0002_unlogged_lines_and_file_content"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="settlementline", name="settlementline_file_txn"),
        migrations.RunPython(_create, _drop),
    ]
