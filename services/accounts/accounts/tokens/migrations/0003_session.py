import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tokens", "0002_refreshtoken_session_expires_at"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_used_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("expires_at", models.DateTimeField()),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                ("user_agent", models.CharField(blank=True, max_length=512)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sessions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=["user", "-last_used_at"],
                        name="tokens_session_live",
                    )
                ],
            },
        ),
        # Every existing token family becomes a session (revoked when no token of it is live).
        migrations.RunSQL(
            """
            INSERT INTO tokens_session
                (id, user_id, created_at, last_used_at, expires_at, revoked_at, user_agent)
            SELECT family_id, user_id, min(created_at), max(created_at),
                   max(session_expires_at),
                   CASE WHEN bool_and(revoked_at IS NOT NULL) THEN max(revoked_at) END, ''
            FROM tokens_refreshtoken GROUP BY family_id, user_id
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
        # family_id keeps its column and index; it only becomes a foreign key to the session.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="refreshtoken", name="family_id"),
                migrations.AddField(
                    model_name="refreshtoken",
                    name="family",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="refresh_tokens",
                        to="tokens.session",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE tokens_refreshtoken ADD CONSTRAINT "
                    "tokens_refreshtoken_family_id_fk_tokens_session_id FOREIGN KEY (family_id) "
                    "REFERENCES tokens_session (id) DEFERRABLE INITIALLY DEFERRED",
                    reverse_sql="ALTER TABLE tokens_refreshtoken DROP CONSTRAINT "
                    "tokens_refreshtoken_family_id_fk_tokens_session_id",
                ),
            ],
        ),
    ]
