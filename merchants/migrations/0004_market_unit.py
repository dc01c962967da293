from django.db import migrations, models
from django.db.models import Q


def place_register_markets(apps, schema_editor):
    """The 109 markets of the register get the current unit written beside
    their line of merchants/data/markets.csv; the split ones stay empty for
    an operator to settle."""
    from merchants.markets_register import register_rows

    Market = apps.get_model("merchants", "Market")
    for row in register_rows():
        Market.objects.filter(code=row["code"]).update(
            unit_code=row["unit_code"], unit_name=row["unit_name"], in_original_register=True
        )


class Migration(migrations.Migration):
    dependencies = [("merchants", "0003_import_job")]

    operations = [
        migrations.AddField(
            model_name="market",
            name="unit_code",
            field=models.CharField(blank=True, db_index=True, max_length=5, verbose_name="mã phường/xã hiện nay"),
        ),
        migrations.AddField(
            model_name="market",
            name="unit_name",
            field=models.CharField(blank=True, max_length=80, verbose_name="phường/xã hiện nay"),
        ),
        migrations.AddField(
            model_name="market",
            name="in_original_register",
            field=models.BooleanField(default=False, verbose_name="thuộc 109 chợ ban đầu"),
        ),
        migrations.AlterField(
            model_name="market",
            name="district",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ninh-kieu", "Ninh Kiều"),
                    ("binh-thuy", "Bình Thủy"),
                    ("cai-rang", "Cái Răng"),
                    ("o-mon", "Ô Môn"),
                    ("thot-not", "Thốt Nốt"),
                    ("phong-dien", "Phong Điền"),
                    ("co-do", "Cờ Đỏ"),
                    ("thoi-lai", "Thới Lai"),
                    ("vinh-thanh", "Vĩnh Thạnh"),
                ],
                max_length=16,
                verbose_name="quận/huyện cũ",
            ),
        ),
        migrations.AlterField(
            model_name="market",
            name="ward",
            field=models.CharField(blank=True, max_length=80, verbose_name="phường/xã cũ"),
        ),
        migrations.AddConstraint(
            model_name="market",
            constraint=models.CheckConstraint(
                condition=Q(unit_code="") | Q(unit_code__regex="^[0-9]{5}$"), name="market_unit_code_five_digits"
            ),
        ),
        migrations.RunPython(place_register_markets, migrations.RunPython.noop),
    ]
