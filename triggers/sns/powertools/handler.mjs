// @ts-check
/**
 * Entry point of this Lambda function: notifications published to an SNS topic, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * SNS invokes the function asynchronously with one record per notification. If the
 * handler throws, Lambda retries the invocation (twice by default), then drops it or
 * sends it to the function's on-failure destination; so make processing idempotent
 * (key it on the message id).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there: Powertools' utilities too.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";

// Logger: one JSON object per record (service: POWERTOOLS_SERVICE_NAME, template.yaml).
const logger = new Logger();
// Metrics: CloudWatch metrics printed in the embedded metric format, in the namespace
// POWERTOOLS_METRICS_NAMESPACE (template.yaml); it warns through the logger, as JSON.
const metrics = new Metrics({ logger });
// Tracer: X-Ray subsegments (Tracing: Active in template.yaml); off outside Lambda.
const tracer = new Tracer();

/**
 * @typedef {object} Notification one SNS notification, read from its record
 * @property {string} messageId
 * @property {string} topicArn
 * @property {string | null} subject null when the publisher set no subject
 * @property {unknown} message the parsed JSON when the message is JSON, else the text as published
 * @property {Record<string, string>} attributes message attributes by name (every value a string)
 */

/**
 * Read one record of an SNS event.
 *
 * @param {import("aws-lambda").SNSEventRecord} record an element of event.Records
 * @returns {Notification}
 */
export function readNotification(record) {
  const sns = record.Sns;
  /** @type {unknown} */
  let message;
  try {
    message = JSON.parse(sns.Message);
  } catch {
    message = sns.Message;
  }
  const attributes = Object.fromEntries(
    Object.entries(sns.MessageAttributes ?? {}).map(([name, attribute]) => [name, attribute.Value]),
  );
  return {
    messageId: sns.MessageId,
    topicArn: sns.TopicArn,
    subject: sns.Subject ?? null, // SNS sends null (the type says undefined) when there is none
    message,
    attributes,
  };
}

/**
 * Your logic for one notification goes here.
 *
 * @param {Notification} notification
 */
export async function processNotification(notification) {
  // Logger leaves out a key whose value is null or undefined: a notification without a
  // subject is logged without one.
  logger.info("notification received", {
    messageId: notification.messageId,
    subject: notification.subject,
    attributes: notification.attributes,
  });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("NotificationsReceived", MetricUnit.Count, 1);
}

/**
 * Process each notification of the event; return the message ids processed.
 *
 * SNS ignores the result (the invocation is asynchronous), so SNSHandler declares
 * none; `lambda-new invoke` and the console's Test show it.
 *
 * @param {import("aws-lambda").SNSEvent} event
 * @returns {Promise<{processed: string[]}>}
 */
export async function processNotifications(event) {
  /** @type {string[]} */
  const processed = [];
  for (const record of event.Records) {
    const notification = readNotification(record);
    await processNotification(notification);
    processed.push(notification.messageId);
  }
  return { processed };
}

/**
 * Process the notifications, with Powertools around: what its decorators and middy
 * middlewares do for a class method or a middy handler, written out for a plain function.
 *
 * @type {import("aws-lambda").Handler<import("aws-lambda").SNSEvent, {processed: string[]}>}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  // SNS notifications have no correlation id of their own: each record names its messageId.
  logger.addContext(context);
  // Metrics: a ColdStart metric on the first invocation of an execution environment.
  metrics.captureColdStartMetric();
  // Tracer: a subsegment for this invocation, annotated with ColdStart and Service; it
  // holds the result, or the error, as metadata. Lambda's own segment takes no annotations.
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? "handler"}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    const result = await processNotifications(event);
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(/** @type {Error} */ (error));
    throw error; // Lambda logs it, and retries the invocation
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
};
