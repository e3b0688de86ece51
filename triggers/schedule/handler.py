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
Code at module level runs once per execution environment (a "cold start"), so
create clients there.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)


def run_scheduled_job(scheduled_time: datetime, schedule_arn: str) -> None:
    """Your logic for one scheduled run goes here."""
    logger.info(
        "scheduled run",
        extra={"scheduledTime": scheduled_time.isoformat(), "schedule": schedule_arn},
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the job for the event's scheduled time; return which run this was.

    Another caller (a direct invoke, an EventBridge rule) can send another event: its
    detail-type is checked. Scheduler ignores the result (the invocation is
    asynchronous); `lambda-new invoke` and the console's Test show it.
    """
    if event.get("detail-type") != "Scheduled Event":
        raise ValueError(
            f"expected an EventBridge 'Scheduled Event', got {event.get('detail-type')!r}"
        )
    # The time the run was scheduled for (UTC, whatever the schedule's time zone), not
    # the time the function started; the same for a retried invocation, so it keys a run.
    scheduled_time = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    resources = event.get("resources") or []
    if not resources:
        raise ValueError("the scheduled event names no schedule in its resources")
    schedule_arn = resources[0]  # a scheduled event has one resource: its schedule
    run_scheduled_job(scheduled_time, schedule_arn)
    return {"schedule": schedule_arn, "scheduledTime": scheduled_time.isoformat()}
