"""Reports read from DATABASE_REPLICA_URL when it answers, from the primary
when it does not; writes always on the primary. Each case starts the project
in a child process with the setting, as a deployment would; the streaming
replica itself is `make proof`'s `replica` scenario (two real clusters)."""

import os

from tests.core.test_settings import run_manage

ROUTES = """
from django.contrib.auth.models import User
from django.db import router
from core import replica
with replica.reading_replica() as alias:
    print(alias, router.db_for_read(User), router.db_for_write(User))
print("outside", router.db_for_read(User))
from market40.metrics import exposition
print(*[line for line in exposition().decode().splitlines() if line.startswith("cho40_replica_up")])
"""


def test_reads_in_a_report_go_to_the_replica_and_writes_to_the_primary():
    result = run_manage("shell", "-v", "0", "-c", ROUTES, DATABASE_REPLICA_URL=os.environ["DATABASE_URL"])

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "replica replica default"
    assert lines[1] == "outside default"
    assert lines[2] == "cho40_replica_up 1.0"


def test_a_replica_that_does_not_answer_leaves_the_reads_on_the_primary():
    result = run_manage("shell", "-v", "0", "-c", ROUTES, DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:1/nothing")

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "default default default"
    assert lines[2] == "cho40_replica_up 0.0"
    assert "replica does not answer" in result.stderr


def test_without_a_replica_everything_is_the_primary():
    result = run_manage("shell", "-v", "0", "-c", ROUTES, DATABASE_REPLICA_URL="")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == ["default default default", "outside default"]
