"""Entry point of this Lambda function: runs on a schedule (EventBridge Scheduler).

EventBridge Scheduler invokes the function asynchronously at each time the schedule's
rate or cron expression (ScheduleExpression in template.yaml, a cron expression in
its ScheduleTimezone) names, with a "Scheduled Event" whose `time` is the scheduled
time (always UTC), whose `resources` hold the schedule's ARN and whose `detail` is the
string "{}". Two kinds of retries, neither of which changes `time`:
- Scheduler retries a delivery it could not make (Lambda throttled or unreachable),
  then sends the run to the ScheduleDeadLetterQueue;
- if the handler raises, Lambda retries the invocation twice, then sends the event and
  its error to the FailedEventsQueue.
Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id,
# the cold start and the correlation id; Lambda's JSON log format passes it on as it is, and
# the level is the function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let
# Lambda filter the records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and the run (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray
def run_scheduled_job(scheduled_time: datetime, schedule_arn: str) -> None:
    """Your logic for one scheduled run goes here."""
    logger.info(
        "scheduled run",
        extra={"scheduledTime": scheduled_time.isoformat(), "schedule": schedule_arn},
    )


# The correlation id of every log record is the event's id (Lambda's retries of an
# invocation get the same event, so the same id).
@logger.inject_lambda_context(correlation_id_path=correlation_paths.EVENT_BRIDGE)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Run the job for the event's scheduled time; return which run this was.

    Another caller (a direct invoke, an EventBridge rule) can send another event: its
    detail-type is checked. Scheduler ignores the result (the invocation is
    asynchronous); `lambda-new invoke` and the console's Test show it.
    """
    if event.get("detail-type") != "Scheduled Event":
        raise ValueError(
            f"expected an EventBridge 'Scheduled Event', got {event.get('detail-type')!r}"
        )
    scheduled = EventBridgeEvent(event)  # names the fields of an EventBridge event
    # The time the run was scheduled for (UTC, whatever the schedule's time zone), not
    # the time the function started; the same for a retried invocation, so it keys a run.
    scheduled_time = datetime.fromisoformat(scheduled.time.replace("Z", "+00:00"))
    resources = scheduled.get("resources") or []
    if not resources:
        raise ValueError("the scheduled event names no schedule in its resources")
    schedule_arn = resources[0]  # a scheduled event has one resource: its schedule
    run_scheduled_job(scheduled_time, schedule_arn)
    metrics.add_metric(name="ScheduledRuns", unit=MetricUnit.Count, value=1)
    return {"schedule": schedule_arn, "scheduledTime": scheduled_time.isoformat()}
