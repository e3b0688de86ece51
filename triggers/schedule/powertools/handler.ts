/**
 * Entry point of this Lambda function: runs on a schedule (EventBridge Scheduler), with
 * Powertools for AWS Lambda (TypeScript).
 *
 * EventBridge Scheduler invokes the function asynchronously at each time the schedule's
 * rate or cron expression (ScheduleExpression in template.yaml, a cron expression in
 * its ScheduleTimezone) names, with a "Scheduled Event" whose `time` is the scheduled
 * time (always UTC), whose `resources` hold the schedule's ARN and whose `detail` is the
 * string "{}". Two kinds of retries, neither of which changes `time`:
 * - Scheduler retries a delivery it could not make (Lambda throttled or unreachable),
 *   then sends the run to the ScheduleDeadLetterQueue;
 * - if the handler throws, Lambda retries the invocation twice, then sends the event
 *   and its error to the FailedEventsQueue.
 *
 * Powertools for AWS Lambda:
 * - Logger writes one JSON object per record, with the invocation's context (function
 *   name, request id, cold start) and the event's id as correlation_id in each;
 *   LoggingConfig in template.yaml sets its level.
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
import type { Context, EventBridgeEvent, Handler, ScheduledEvent } from "aws-lambda";

const logger = new Logger();
const tracer = new Tracer();
// Metrics warns through the logger, as JSON, when an invocation records no metric.
const metrics = new Metrics({ logger });

/** What EventBridge Scheduler sends: a "Scheduled Event" whose detail is a string ("{}"). */
export type SchedulerEvent = ScheduledEvent<string>;

/**
 * What else may arrive: another detail-type, or an EventBridge rule's "Scheduled Event"
 * (its detail is an object); the handler checks the detail-type.
 */
export type OtherEvent = EventBridgeEvent<string, unknown>;

/** What the handler returns: which run this was. */
export interface ScheduledRun {
  /** the ARN of the schedule that scheduled the run */
  schedule: string;
  /** the time the run was scheduled for, in ISO 8601 (UTC) */
  scheduledTime: string;
}

/** Your logic for one scheduled run goes here. */
export async function runScheduledJob(scheduledTime: Date, scheduleArn: string): Promise<void> {
  logger.info("scheduled run", {
    scheduledTime: scheduledTime.toISOString(),
    schedule: scheduleArn,
  });
  // A business metric: CloudWatch sums it per minute (and per service).
  metrics.addMetric("ScheduledRuns", MetricUnit.Count, 1);
}

/**
 * Run the job for the event's scheduled time; return which run this was.
 *
 * Another caller (a direct invoke, an EventBridge rule) can send another event (or
 * null): its detail-type is checked.
 */
export async function run(event: SchedulerEvent | OtherEvent | null): Promise<ScheduledRun> {
  if (event?.["detail-type"] !== "Scheduled Event") {
    throw new Error(
      `expected an EventBridge 'Scheduled Event', got ${JSON.stringify(event?.["detail-type"])}`,
    );
  }
  // The time the run was scheduled for (UTC, whatever the schedule's time zone), not
  // the time the function started; the same for a retried invocation, so it keys a run.
  const scheduledTime = new Date(event.time);
  const [scheduleArn] = event.resources; // a scheduled event has one resource: its schedule
  if (scheduleArn === undefined) {
    throw new Error("the scheduled event names no schedule in its resources");
  }
  await runScheduledJob(scheduledTime, scheduleArn);
  return { schedule: scheduleArn, scheduledTime: scheduledTime.toISOString() };
}

/**
 * Run the job, with Powertools around: what its class decorators (or middy middlewares)
 * do for a handler, written out for a plain function.
 *
 * Scheduler ignores the result (the invocation is asynchronous); `lambda-new invoke` and
 * the console's Test show it.
 */
export const handler = (async (
  event: SchedulerEvent | OtherEvent | null,
  context: Context,
): Promise<ScheduledRun> => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record, and
  // the event's id as correlation_id (Lambda's retries of an invocation keep it).
  logger.addContext(context);
  if (event?.id) {
    logger.setCorrelationId(event.id);
  }
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
    const result = await run(event);
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
    logger.resetKeys(); // the correlation id is this run's only
  }
}) satisfies Handler<SchedulerEvent, ScheduledRun>;
