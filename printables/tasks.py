from celery import shared_task


@shared_task(name="printables.render_poster_batch")
def render_poster_batch(batch_id: int) -> None:
    from printables import services

    services.poster_batch_render(batch_id=batch_id)
