from django.db import migrations


def load_register(apps, schema_editor):
    from merchants.markets_register import register_rows

    Market = apps.get_model("merchants", "Market")
    # The register's later columns (0004's units) wait for their own fields.
    fields = {f.name for f in Market._meta.get_fields()}
    for row in register_rows():
        Market.objects.update_or_create(code=row["code"], defaults={k: v for k, v in row.items() if k in fields})


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]

    operations = [migrations.RunPython(load_register, migrations.RunPython.noop)]
