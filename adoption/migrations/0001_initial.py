"""The adoption models, moved here from the project package (`market40`).

Their tables were created by market40/migrations/0001 and 0002 and keep the
names they have (`db_table`), so this migration changes the project's state
only: on a fresh database those two migrations still create the tables, and
on a database migrated before the move every row stays where it is. The
content types follow the models, so the permissions that point at them (and
whoever holds those permissions) carry over; market40/migrations/0003 then
drops the models from the old app's state."""

import importlib

from django.db import migrations

# The models as market40's migration 0001 created them (no migration has
# changed them since), under their new app and with their tables' names.
CREATED = importlib.import_module("market40.migrations.0001_initial").Migration.operations
STATE = [
    migrations.CreateModel(
        name=created.name,
        fields=created.fields,
        options={**created.options, "db_table": f"market40_{created.name_lower}"},
    )
    for created in CREATED
]


def _move_content_types(apps, old_label: str, new_label: str) -> None:
    content_types = apps.get_model("contenttypes", "ContentType").objects
    for model in (created.name_lower for created in CREATED):
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
