"""The advisor's own language for the portal's emails, kept as it was for
existing advisors: Hebrew when they speak it, else their first listed
language (what the emails used before the field existed)."""

from django.db import migrations, models


def keep_current_email_language(apps, schema_editor):
    AdvisorProfile = apps.get_model("consultations", "AdvisorProfile")
    for profile in AdvisorProfile.objects.exclude(languages=[]):
        if "he" not in profile.languages:
            profile.preferred_language = profile.languages[0]
            profile.save(update_fields=["preferred_language"])


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0053_outbound_email_waiting"),
    ]

    operations = [
        migrations.AddField(
            model_name="advisorprofile",
            name="preferred_language",
            field=models.CharField(
                choices=[("he", "Hebrew"), ("ar", "Arabic"), ("en", "English")],
                default="he",
                help_text="The language of the emails the portal sends the advisor.",
                max_length=2,
                verbose_name="preferred language",
            ),
        ),
        migrations.RunPython(keep_current_email_language, migrations.RunPython.noop),
    ]
