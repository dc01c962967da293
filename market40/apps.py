from django.apps import AppConfig


class Market40Config(AppConfig):
    """The project package as an app, for two things only: the demo commands
    that span every app, and the migrations that created the adoption tables
    before the models moved to `adoption` (a database migrated then still
    records them, and a fresh one still creates the tables through them)."""

    name = "market40"
