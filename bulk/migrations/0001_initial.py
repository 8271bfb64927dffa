"""`AnswerRequest` moves from applicants to this app: state only, the table keeps its name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('applicants', '0016_imports_and_bulk_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AnswerRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('source', models.CharField(choices=[('list', 'Bulk processing mode'), ('api', 'API'), ('automatic', 'Automatic reminder')], default='list', max_length=10, verbose_name='source')),
                        ('idempotency_key', models.CharField(max_length=100)),
                        ('search', models.JSONField(blank=True, default=dict, verbose_name='search conditions')),
                        ('im_ids', models.JSONField(blank=True, default=list)),
                        ('max_im_id', models.PositiveBigIntegerField(default=0)),
                        ('selected_count', models.PositiveIntegerField(default=0, verbose_name='selected')),
                        ('target_count', models.PositiveIntegerField(default=0, verbose_name='to send')),
                        ('skipped_count', models.PositiveIntegerField(default=0, verbose_name='skipped')),
                        ('send_again', models.BooleanField(default=False, verbose_name='send again to recently reminded')),
                        ('recent_count', models.PositiveIntegerField(default=0, verbose_name='reminded recently')),
                        ('processed_count', models.PositiveIntegerField(default=0, verbose_name='processed')),
                        ('queued_count', models.PositiveIntegerField(default=0, verbose_name='messages queued')),
                        ('cursor_im_id', models.PositiveBigIntegerField(default=0)),
                        ('state', models.CharField(choices=[('queued', 'Queued'), ('running', 'Sending'), ('done', 'Done'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='state')),
                        ('error', models.TextField(blank=True, verbose_name='error')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('company', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='answer_requests', to='applicants.company')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('job_posting', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='answer_requests', to='applicants.jobposting', verbose_name='job posting')),
                    ],
                    options={
                        'verbose_name': 'answer request',
                        'verbose_name_plural': 'answer requests',
                        'db_table': 'applicants_answerrequest',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['company', '-created_at'], name='answer_request_company')],
                        'constraints': [models.UniqueConstraint(fields=('company', 'idempotency_key'), name='answer_request_idempotency')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
