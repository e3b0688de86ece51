// @ts-check
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
 * @typedef {import("aws-lambda").ScheduledEvent<string>} SchedulerEvent what EventBridge
 *   Scheduler sends: a "Scheduled Event" whose detail is a string ("{}")
 * @typedef {import("aws-lambda").EventBridgeEvent<string, unknown>} OtherEvent what else
 *   may arrive: another detail-type, or an EventBridge rule's "Scheduled Event" (its
 *   detail is an object); the handler checks the detail-type
 */

/**
 * @typedef {object} ScheduledRun what the handler returns: which run this was
 * @property {string} schedule the ARN of the schedule that scheduled the run
 * @property {string} scheduledTime the time the run was scheduled for, in ISO 8601 (UTC)
 */

/**
 * Your logic for one scheduled run goes here.
 *
 * @param {Date} scheduledTime
 * @param {string} scheduleArn
 */
export async function runScheduledJob(scheduledTime, scheduleArn) {
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
 * null): its detail-type is checked. Scheduler ignores the result (the invocation is
 * asynchronous); `lambda-new invoke` and the console's Test show it.
 *
 * @param {SchedulerEvent | OtherEvent | null} event
 * @returns {Promise<ScheduledRun>}
 */
export async function run(event) {
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
 * Run, with Powertools around: what its decorators and middy middlewares do for a class
 * method or a middy handler, written out for a plain function.
 *
 * @type {import("aws-lambda").Handler<SchedulerEvent | OtherEvent | null, ScheduledRun>}
 */
export const handler = async (event, context) => {
  // Logger: the context's fields (function_request_id, cold_start...) in each record,
  // and the event's id as correlation_id (Scheduler's envelope is an EventBridge event).
  logger.addContext(context);
  if (typeof event?.id === "string") logger.setCorrelationId(event.id);
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
    const result = await run(event);
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
    logger.resetKeys(); // this event's correlation id stays with it
  }
};
