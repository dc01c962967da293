"""Beat runs adoption's tasks by their names, on the reports queue."""

from market40.celery import app as celery_app


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()
    entries = celery_app.conf.beat_schedule
    assert {"adoption-open-today", "adoption-record-register", "adoption-nightly-check"} <= set(entries)
    assert [entry["task"] for entry in entries.values() if entry["task"] not in celery_app.tasks] == []


def test_adoption_tasks_run_on_the_reports_queue():
    celery_app.loader.import_default_modules()
    adoption_tasks = [name for name in celery_app.tasks if name.startswith("adoption.")]
    assert sorted(adoption_tasks) == ["adoption.nightly_check", "adoption.open_today", "adoption.record_register"]
    assert {celery_app.amqp.router.route({}, name)["queue"].name for name in adoption_tasks} == {"reports"}


def test_the_nightly_check_covers_the_days_the_setting_asks_for(settings):
    from adoption.schedule import beat_schedule

    assert beat_schedule()["adoption-nightly-check"]["kwargs"] == {"days": None}  # 0: the whole history
    settings.ADOPTION_CHECK_DAYS = 90
    assert beat_schedule()["adoption-nightly-check"]["kwargs"] == {"days": 90}
