"""The project's own task: the nightly retention pass, which spans apps."""

from celery import shared_task

from market40.retention import retention_apply


@shared_task(name="market40.apply_retention", ignore_result=True)
def apply_retention() -> dict:
    return retention_apply(dry_run=False).as_dict()
