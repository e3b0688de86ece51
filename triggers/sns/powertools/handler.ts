/**
 * Entry point of this Lambda function: notifications published to an SNS topic, with
 * Powertools for AWS Lambda (TypeScript).
 *
 * SNS invokes the function asynchronously with one record per notification. If the
 * handler throws, Lambda retries the invocation (twice by default), then drops it or
 * sends it to the function's on-failure destination; so make processing idempotent
 * (key it on the message id).
 *
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) in each; LoggingConfig in template.yaml sets its level.
 *   An SNS notification carries no standard correlation id: log its message id.
 * - Metrics writes CloudWatch metrics as log lines (EMF), in the namespace and with the
 *   service template.yaml sets (POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_SERVICE_NAME).
 * - Tracer adds this handler's own subsegment to the invocation's X-Ray trace (Tracing:
 *   Active in template.yaml). Outside Lambda it does nothing.
 *
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there, as here Powertools' utilities.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type { Context, Handler, SNSEvent, SNSEventRecord } from "aws-lambda";

const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });

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
 * none; `lambda-new invoke` and the console's Test show it. Powertools around it: what
 * its class decorators (or middy middlewares) do for a handler, written out for a plain
 * function.
 */
export const handler = (async (event: SNSEvent, context: Context): Promise<Processed> => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record.
  logger.addContext(context);
  // Metrics: a ColdStart metric, by function name, on the first invocation of an
  // execution environment.
  metrics.captureColdStartMetric(context.functionName);
  // Tracer: a subsegment for this invocation, annotated with ColdStart and Service; it
  // holds the result, or the error, as metadata. Lambda's own segment takes no annotations.
  const segment = tracer.getSegment();
  const subsegment = segment?.addNewSubsegment(`## ${process.env._HANDLER ?? "handler"}`);
  if (subsegment) tracer.setSegment(subsegment);
  tracer.annotateColdStart();
  tracer.addServiceNameAnnotation();
  try {
    const processed: string[] = [];
    for (const record of event.Records) {
      const notification = readNotification(record);
      await processNotification(notification);
      processed.push(notification.messageId);
    }
    const result = { processed };
    tracer.addResponseAsMetadata(result, "handler");
    return result;
  } catch (error) {
    tracer.addErrorAsMetadata(error as Error);
    throw error; // Lambda logs it, and retries the invocation
  } finally {
    subsegment?.close();
    if (segment) tracer.setSegment(segment);
    // Metrics buffers what addMetric records; this prints it (one EMF line).
    metrics.publishStoredMetrics();
  }
}) satisfies Handler<SNSEvent, Processed>;
