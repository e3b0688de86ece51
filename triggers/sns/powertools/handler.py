"""Entry point of this Lambda function: notifications published to an SNS topic.

SNS invokes the function asynchronously with one record per notification. If the
handler raises, Lambda retries the invocation (twice by default), then drops it or
sends it to the function's on-failure destination; so make processing idempotent
(key it on the message id).
Code at module level runs once per execution environment (a "cold start"): Powertools'
Logger, Tracer and Metrics are created there, and so should your clients be.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.data_classes.sns_event import SNSEventRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

# One JSON line per log record, with the service (POWERTOOLS_SERVICE_NAME), the request id
# and the cold start; Lambda's JSON log format passes it on as it is, and the level is the
# function's LoggingConfig (AWS_LAMBDA_LOG_LEVEL). RFC 3339 timestamps let Lambda filter the
# records by level.
logger = Logger(use_rfc3339=True)
# X-Ray segments for the handler and each notification (template.yaml: Tracing: Active).
tracer = Tracer()
# CloudWatch metrics in the namespace POWERTOOLS_METRICS_NAMESPACE, printed as embedded
# metric format (EMF) log lines when the handler returns: no API calls.
metrics = Metrics()


@dataclass(frozen=True)
class Notification:
    """One SNS notification, read from its record."""

    message_id: str
    topic_arn: str
    subject: str | None  # None when the publisher set no subject
    message: Any  # the parsed JSON when the message is JSON, else the text as published
    attributes: dict[str, str]  # message attributes by name (every value arrives as a string)


def read_notification(record: SNSEventRecord) -> Notification:
    """Read one record of an SNS event (Powertools' SNSEventRecord names its fields)."""
    sns = record.sns
    try:
        message = json.loads(sns.message)
    except ValueError:
        message = sns.message
    return Notification(
        message_id=sns.message_id,
        topic_arn=sns.topic_arn,
        subject=sns.subject,
        message=message,
        attributes={name: attribute.value for name, attribute in sns.message_attributes.items()},
    )


@tracer.capture_method  # a subsegment of the invocation's trace in X-Ray
def process_notification(notification: Notification) -> None:
    """Your logic for one notification goes here."""
    logger.info(
        "notification received",
        extra={
            "messageId": notification.message_id,
            "subject": notification.subject,
            "attributes": notification.attributes,
        },
    )


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Process each notification of the event; return the message ids processed."""
    processed = []
    for record in SNSEvent(event).records:
        notification = read_notification(record)
        process_notification(notification)
        metrics.add_metric(name="NotificationsReceived", unit=MetricUnit.Count, value=1)
        processed.append(notification.message_id)
    return {"processed": processed}
