import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """The settings keep the unit's symbol only ("SGDĐT"); the type code ("BC") comes from the
    kind of document. Drafts and settings gain the copies kept in the archive, and drafts
    the bodies they are addressed to (Kính gửi)."""

    dependencies = [
        ("reports", "0002_report_settings"),
    ]

    operations = [
        migrations.RenameField(
            model_name="reportsettings", old_name="symbol", new_name="agency_symbol"
        ),
        migrations.AlterField(
            model_name="reportsettings",
            name="agency_symbol",
            field=models.CharField(
                max_length=30, verbose_name="symbol of the unit in document numbers"
            ),
        ),
        migrations.AddField(
            model_name="reportsettings",
            name="archive_copies",
            field=models.PositiveSmallIntegerField(
                default=0,
                validators=[django.core.validators.MaxValueValidator(99)],
                verbose_name="copies kept in the archive",
            ),
        ),
        migrations.AddField(
            model_name="reportdocument",
            name="archive_copies",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Written after the drafting unit, e.g. “Lưu: VT, GDTrH, 02b.”; 0 leaves it out.",
                validators=[django.core.validators.MaxValueValidator(99)],
                verbose_name="copies kept in the archive",
            ),
        ),
        migrations.AddField(
            model_name="reportdocument",
            name="addressees",
            field=models.TextField(
                blank=True,
                help_text="The bodies the report is sent to for action, when it goes to a higher body; the distribution list then starts with “Như trên”.",
                verbose_name="Addressed to (Kính gửi), one per line",
            ),
        ),
    ]
