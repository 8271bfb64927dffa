import pytest
from kombu.exceptions import OperationalError

from interviewmaker.tasks import enqueue_on_commit
from sharing.tasks import share_links_sweep_task


def test_a_broker_outage_after_commit_is_logged_not_raised(
    db, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(share_links_sweep_task, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(share_links_sweep_task)
    assert "waits for its sweep" in caplog.text


def test_nothing_is_published_when_the_transaction_rolls_back(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(share_links_sweep_task, "apply_async", lambda *a, **k: published.append(a))
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        from django.db import transaction

        with transaction.atomic():
            enqueue_on_commit(share_links_sweep_task)
            raise RuntimeError
    assert published == []


def test_tasks_are_named_by_their_module_and_the_beat_schedule_names_real_tasks(settings):
    """One naming style: Celery's default `<module>.<function>`; a beat entry never names a task no
    worker knows (a renamed task would otherwise only show as "unregistered task" in a worker log)."""
    from interviewmaker.celery import app

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert len(ours) >= 15
    for task in ours:
        assert task.name == f"{task.run.__module__}.{task.run.__name__}", task.name
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
