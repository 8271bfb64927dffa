"""The Celery app: Redis when REDIS_URL is set, otherwise the embedded filesystem broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "interviewmaker.settings")

app = Celery("interviewmaker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
