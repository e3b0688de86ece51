/**
 * Entry point of this Lambda function: runs on a schedule (an EventBridge rule).
 *
 * EventBridge invokes the function asynchronously at each time the rule's rate or cron
 * expression (ScheduleExpression in template.yaml) names, with a "Scheduled Event"
 * whose `time` is the scheduled time and whose `resources` hold the rule's ARN.
 * If the handler throws, Lambda retries the invocation (twice by default).
 * Code at module level runs once per execution environment (a "cold start"), so
 * create clients there.
 */
import type { EventBridgeEvent, Handler, ScheduledEvent } from "aws-lambda";

/** What the handler returns: which run this was. */
export interface ScheduledRun {
  /** the ARN of the rule that scheduled the run */
  rule: string;
  /** the time the run was scheduled for, in ISO 8601 (UTC) */
  scheduledTime: string;
}

/** Your logic for one scheduled run goes here. */
export async function runScheduledJob(scheduledTime: Date, ruleArn: string): Promise<void> {
  // With LoggingConfig LogFormat JSON, Lambda writes this object as the record's "message".
  console.info({
    message: "scheduled run",
    scheduledTime: scheduledTime.toISOString(),
    rule: ruleArn,
  });
}

/**
 * Run the job for the event's scheduled time; return which run this was.
 *
 * Another rule, or a direct invoke, can send another event (or null): its detail-type
 * is checked. EventBridge ignores the result (the invocation is asynchronous), so
 * ScheduledHandler declares none; `lambda-new invoke` and the console's Test show it.
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.ts).
 */
export const handler = (async (
  event: EventBridgeEvent<string, unknown> | null,
): Promise<ScheduledRun> => {
  if (event?.["detail-type"] !== "Scheduled Event") {
    throw new Error(
      `expected an EventBridge 'Scheduled Event', got ${JSON.stringify(event?.["detail-type"])}`,
    );
  }
  // The time the run was scheduled for (UTC), not the time the function started;
  // the same for a retried invocation, so it keys a run.
  const scheduledTime = new Date(event.time);
  const [ruleArn] = event.resources; // a scheduled event has one resource: its rule
  if (ruleArn === undefined) {
    throw new Error("the scheduled event names no rule in its resources");
  }
  await runScheduledJob(scheduledTime, ruleArn);
  return { rule: ruleArn, scheduledTime: scheduledTime.toISOString() };
}) satisfies Handler<ScheduledEvent<unknown>, ScheduledRun>;
