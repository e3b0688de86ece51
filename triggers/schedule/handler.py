"""Entry point of this Lambda function: runs on a schedule (an EventBridge rule).

EventBridge invokes the function asynchronously at each time the rule's rate or cron
expression (ScheduleExpression in template.yaml) names, with a "Scheduled Event"
whose `time` is the scheduled time and whose `resources` hold the rule's ARN.
If the handler raises, Lambda retries the invocation (twice by default).
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


def run_scheduled_job(scheduled_time: datetime, rule_arn: str) -> None:
    """Your logic for one scheduled run goes here."""
    logger.info(
        "scheduled run",
        extra={"scheduledTime": scheduled_time.isoformat(), "rule": rule_arn},
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run the job for the event's scheduled time; return which run this was."""
    if event.get("detail-type") != "Scheduled Event":
        raise ValueError(
            f"expected an EventBridge 'Scheduled Event', got {event.get('detail-type')!r}"
        )
    # The time the run was scheduled for (UTC), not the time the function started;
    # the same for a retried invocation, so it keys a run.
    scheduled_time = datetime.fromisoformat(event["time"].replace("Z", "+00:00"))
    rule_arn = event["resources"][0]
    run_scheduled_job(scheduled_time, rule_arn)
    return {"rule": rule_arn, "scheduledTime": scheduled_time.isoformat()}
