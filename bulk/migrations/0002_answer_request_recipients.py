"""Who each answer request reached and whom it skipped (bulk.models.AnswerRequestRecipient).

Requests made before this migration get their D04 recipients from the outbox (the key of a request's
D04 is `D04:<request>:<applicant>`); whom they skipped was not recorded then and stays unknown.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# Set-based, once: every D04 an answer request queued becomes its "sent" recipient (or "skipped" when
# the address was suppressed and the message never left).
BACKFILL = """
INSERT INTO bulk_answerrequestrecipient
    (answer_request_id, applicant_id, company_id, im_id, outcome, reason, message_id, created_at)
SELECT ar.id, a.id, a.company_id, a.im_id,
       CASE WHEN m.status = 'suppressed' THEN 'skipped' ELSE 'sent' END,
       CASE WHEN m.status = 'suppressed' THEN 'suppressed' ELSE '' END,
       m.id, m.created_at
FROM messaging_message m
JOIN applicants_answerrequest ar
  ON ar.id = substring(m.idempotency_key FROM '^D04:([0-9]{1,18}):')::bigint
 AND ar.company_id = m.company_id
JOIN applicants_applicant a ON a.id = m.applicant_id
WHERE m.template_code = 'D04' AND m.idempotency_key ~ '^D04:[0-9]{1,18}:[0-9]+$'
ON CONFLICT DO NOTHING
"""


class Migration(migrations.Migration):

    dependencies = [
        ('applicants', '0017_season_deadlines'),
        ('bulk', '0001_initial'),
        ('messaging', '0005_season_deadlines'),
    ]

    operations = [
        migrations.CreateModel(
            name='AnswerRequestRecipient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('im_id', models.PositiveBigIntegerField(verbose_name='iM ID')),
                ('outcome', models.CharField(choices=[('sent', 'Sent'), ('skipped', 'Skipped')], max_length=8, verbose_name='outcome')),
                ('reason', models.CharField(blank=True, choices=[('submitted', 'Not awaiting: submitted'), ('expired', 'Not awaiting: expired'), ('withdrawn', 'Not awaiting: withdrawn'), ('recent', 'Reminded recently by another request'), ('suppressed', 'Address on the suppression list'), ('later', 'Registered after the confirmation')], max_length=10, verbose_name='reason')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('answer_request', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='recipients', to='bulk.answerrequest')),
                ('applicant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answer_request_recipients', to='applicants.applicant', verbose_name='applicant')),
                ('company', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='applicants.company')),
                ('message', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='messaging.message', verbose_name='message')),
            ],
            options={
                'verbose_name': 'answer request recipient',
                'verbose_name_plural': 'answer request recipients',
                'indexes': [models.Index(condition=models.Q(('outcome', 'sent')), fields=['company', 'im_id', 'created_at'], name='answer_request_recipient_sent')],
                'constraints': [models.UniqueConstraint(fields=('answer_request', 'im_id'), name='answer_request_recipient')],
            },
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
