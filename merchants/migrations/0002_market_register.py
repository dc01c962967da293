from django.db import migrations


def load_register(apps, schema_editor):
    from merchants.markets_register import register_rows

    Market = apps.get_model("merchants", "Market")
    for row in register_rows():
        Market.objects.update_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]

    operations = [migrations.RunPython(load_register, migrations.RunPython.noop)]
