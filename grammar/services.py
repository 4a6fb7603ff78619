"""Writes for grammar: curation of mistakes."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from grammar.models import Mistake


def mistake_reject(*, mistakes: QuerySet[Mistake], rejected_by: AbstractBaseUser) -> int:
    """Mark active mistakes as false positives; they leave statistics and review. Returns how many."""
    return mistakes.filter(status=Mistake.Status.ACTIVE).update(
        status=Mistake.Status.REJECTED, rejected_by=rejected_by, rejected_at=timezone.now()
    )
