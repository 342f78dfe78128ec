"""Job-run figures kept in the database, so that every worker's runs reach `/metrics`."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class JobRunStat(Model):
    """Runs of one scheduled job, summed over every worker process."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    runs = fields.BigIntField(default=0)
    failures = fields.BigIntField(default=0)
    total_seconds = fields.FloatField(default=0.0)
    last_seconds = fields.FloatField(default=0.0)
    last_ok = fields.BooleanField(default=True)
    last_finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "job_run_stat"
