"""The Celery app. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "virtulingo.settings")

app = Celery("virtulingo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _warm_up_grammar_engines(**kwargs) -> None:
    # Models load in each worker process after the fork, never in the parent.
    from engines.registry import get_registry

    get_registry().warmup_sync(roles=("grammar",))


@worker_ready.connect
def _requeue_pending_grammar_checks(sender, **kwargs) -> None:
    # A worker that starts (the broker is back, or after a restart) queues the checks that
    # could not be queued meanwhile; beat repeats this every VIRTULINGO_GRAMMAR_REQUEUE_AFTER.
    from grammar.tasks import grammar_checks_requeue_task

    grammar_checks_requeue_task.delay()
