/**
 * Entry point of this Lambda function: notifications published to an SNS topic.
 *
 * SNS invokes the function asynchronously with one record per notification. If the
 * handler throws, Lambda retries the invocation (twice by default), then drops it or
 * sends it to the function's on-failure destination; so make processing idempotent
 * (key it on the message id).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there.
 */
import type { Handler, SNSEvent, SNSEventRecord } from "aws-lambda";

/** One SNS notification, read from its record. */
export interface Notification {
  messageId: string;
  topicArn: string;
  /** null when the publisher set no subject */
  subject: string | null;
  /** the parsed JSON when the message is JSON, else the text as published */
  message: unknown;
  /** message attributes by name (every value a string) */
  attributes: Record<string, string>;
}

/** What the handler returns: the ids of the notifications it processed. */
export interface Processed {
  processed: string[];
}

/** Read one record of an SNS event. */
export function readNotification(record: SNSEventRecord): Notification {
  const sns = record.Sns;
  let message: unknown;
  try {
    message = JSON.parse(sns.Message);
  } catch {
    message = sns.Message;
  }
  const attributes = Object.fromEntries(
    Object.entries(sns.MessageAttributes).map(([name, attribute]) => [name, attribute.Value]),
  );
  return {
    messageId: sns.MessageId,
    topicArn: sns.TopicArn,
    subject: sns.Subject ?? null, // SNS sends null (the type says undefined) when there is none
    message,
    attributes,
  };
}

/** Your logic for one notification goes here. */
export async function processNotification(notification: Notification): Promise<void> {
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({
    message: "notification received",
    messageId: notification.messageId,
    subject: notification.subject,
    attributes: notification.attributes,
  });
}

/**
 * Process each notification of the event; return the message ids processed.
 *
 * SNS ignores the result (the invocation is asynchronous), so SNSHandler declares
 * none; `lambda-new invoke` and the console's Test show it. Lambda calls
 * handler(event, context); add the context parameter when you need it (its
 * properties: test/lambda-context.ts).
 */
export const handler = (async (event: SNSEvent): Promise<Processed> => {
  const processed: string[] = [];
  for (const record of event.Records) {
    const notification = readNotification(record);
    await processNotification(notification);
    processed.push(notification.messageId);
  }
  return { processed };
}) satisfies Handler<SNSEvent, Processed>;
