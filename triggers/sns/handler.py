"""Entry point of this Lambda function: notifications published to an SNS topic.

SNS invokes the function asynchronously with one record per notification. If the
handler raises, Lambda retries the invocation (twice by default), then drops it or
sends it to the function's on-failure destination; so make processing idempotent
(key it on the message id).
Code at module level runs once per execution environment (a "cold start"), so
create clients there.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

# Lambda's JSON log format turns each record (and its `extra` fields) into JSON;
# the level comes from the function's LoggingConfig.
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    """One SNS notification, read from its record."""

    message_id: str
    topic_arn: str
    subject: str | None  # None when the publisher set no subject
    message: Any  # the parsed JSON when the message is JSON, else the text as published
    attributes: dict[str, str]  # message attributes by name (every value arrives as a string)


def read_notification(record: dict[str, Any]) -> Notification:
    """Read one record of an SNS event."""
    sns = record["Sns"]
    try:
        message = json.loads(sns["Message"])
    except ValueError:
        message = sns["Message"]
    attributes = sns.get("MessageAttributes") or {}
    return Notification(
        message_id=sns["MessageId"],
        topic_arn=sns["TopicArn"],
        subject=sns.get("Subject"),
        message=message,
        attributes={name: attribute["Value"] for name, attribute in attributes.items()},
    )


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


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process each notification of the event; return the message ids processed."""
    processed = []
    for record in event["Records"]:
        notification = read_notification(record)
        process_notification(notification)
        processed.append(notification.message_id)
    return {"processed": processed}
