import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0005_orgunit_search_key_trigram"),
    ]

    operations = [
        migrations.CreateModel(
            name="StaleUnit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("changed_from", models.DateField(verbose_name="changed from")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="recorded at")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="organisations.orgunit",
                        verbose_name="unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "unit awaiting a recount",
                "verbose_name_plural": "units awaiting a recount",
                "ordering": ["pk"],
            },
        ),
    ]
