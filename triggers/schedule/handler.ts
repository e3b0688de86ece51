/**
 * Entry point of this Lambda function: runs on a schedule (EventBridge Scheduler).
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
 * create clients there.
 */
import type { EventBridgeEvent, Handler, ScheduledEvent } from "aws-lambda";

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
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({
    message: "scheduled run",
    scheduledTime: scheduledTime.toISOString(),
    schedule: scheduleArn,
  });
}

/**
 * Run the job for the event's scheduled time; return which run this was.
 *
 * Another caller (a direct invoke, an EventBridge rule) can send another event (or
 * null): its detail-type is checked. Scheduler ignores the result (the invocation is
 * asynchronous); `lambda-new invoke` and the console's Test show it.
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.ts).
 */
export const handler = (async (
  event: SchedulerEvent | OtherEvent | null,
): Promise<ScheduledRun> => {
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
}) satisfies Handler<SchedulerEvent, ScheduledRun>;
