# The lists exported through their shared FilterSet and definition (issue 10, item 8).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exports", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exportjob",
            name="kind",
            field=models.CharField(
                choices=[
                    ("students", "Students"),
                    ("staff", "Staff"),
                    ("schools", "Schools"),
                    ("records", "Records behind a figure"),
                    ("org_units", "Organisation units"),
                    ("sites", "School sites"),
                    ("classes", "Classes"),
                    ("indicator_values", "Indicator values"),
                    ("plan_tasks", "Plan tasks"),
                    ("import_jobs", "Import jobs"),
                ],
                max_length=16,
                verbose_name="list",
            ),
        ),
    ]
