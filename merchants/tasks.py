from celery import shared_task

from merchants import services


@shared_task(name="merchants.run_import_job")
def run_import_job(job_id: int) -> None:
    services.import_job_run(job_id=job_id)
