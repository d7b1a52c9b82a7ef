"""The daily build and a sensor that builds when a new export batch lands in the inbox."""


import dagster as dg

from esm.settings import paths

daily_build_job = dg.define_asset_job("esm_build", selection=dg.AssetSelection.all())

daily_build_schedule = dg.ScheduleDefinition(
    name="esm_daily_build", job=daily_build_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
)


@dg.sensor(job=daily_build_job, minimum_interval_seconds=60)
def inbox_sensor(context: dg.SensorEvaluationContext):
    """One run per new batch directory in the inbox."""
    inbox = paths().inbox
    batches = sorted(p for p in inbox.glob("*/*") if p.is_dir()) if inbox.exists() else []
    for batch in batches:
        yield dg.RunRequest(run_key=str(batch.relative_to(inbox)))
