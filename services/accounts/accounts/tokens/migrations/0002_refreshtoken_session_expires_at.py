from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tokens", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="refreshtoken",
            name="session_expires_at",
            field=models.DateTimeField(null=True),
        ),
        # Sessions issued before the absolute lifetime existed end with their current token.
        migrations.RunSQL(
            "UPDATE tokens_refreshtoken SET session_expires_at = expires_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="refreshtoken",
            name="session_expires_at",
            field=models.DateTimeField(),
        ),
    ]
