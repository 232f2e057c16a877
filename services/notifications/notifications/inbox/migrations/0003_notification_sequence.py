"""Per-user sequence numbers: existing notifications are numbered in creation order."""

from django.db import migrations, models

NUMBER_EXISTING = """
UPDATE inbox_notification AS n SET sequence = numbered.sequence
FROM (
    SELECT id, row_number() OVER (PARTITION BY user_id ORDER BY created_at, id) AS sequence
    FROM inbox_notification
) AS numbered
WHERE n.id = numbered.id;
INSERT INTO inbox_usersequence (user_id, last)
SELECT user_id, max(sequence) FROM inbox_notification GROUP BY user_id;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0002_notification_link"),
    ]

    operations = [
        migrations.CreateModel(
            name="UserSequence",
            fields=[
                ("user_id", models.UUIDField(primary_key=True, serialize=False)),
                ("last", models.BigIntegerField()),
            ],
        ),
        migrations.AddField(
            model_name="notification",
            name="sequence",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunSQL(NUMBER_EXISTING, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="notification",
            name="sequence",
            field=models.BigIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("user_id", "sequence"), name="inbox_user_sequence"
            ),
        ),
    ]
