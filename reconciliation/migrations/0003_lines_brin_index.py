from django.db import migrations

INDEX = "settlementline_file"


def _create(apps, schema_editor) -> None:
    # BRIN (see SettlementLine.Meta); SQLite, which the project no longer
    # runs on, once got a plain index here.
    table = apps.get_model("reconciliation", "SettlementLine")._meta.db_table
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {table} USING brin (file_id)")


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
