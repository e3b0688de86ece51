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

/**
 * Your logic for one scheduled run goes here.
 *
 * @param {Date} scheduledTime
 * @param {string} ruleArn
 */
export async function runScheduledJob(scheduledTime, ruleArn) {
  // With LoggingConfig LogFormat JSON, Lambda writes each console call as a JSON record.
  console.info("scheduled run", { scheduledTime: scheduledTime.toISOString(), rule: ruleArn });
}

/**
 * Run the job for the event's scheduled time; return which run this was.
 *
 * Lambda calls handler(event, context); add the context parameter when you need it
 * (its properties: test/lambda-context.mjs).
 *
 * @param {object} event the scheduled event: time, resources, detail-type "Scheduled Event"
 */
export const handler = async (event) => {
  if (event?.["detail-type"] !== "Scheduled Event") {
    throw new Error(
      `expected an EventBridge 'Scheduled Event', got ${JSON.stringify(event?.["detail-type"])}`,
    );
  }
  // The time the run was scheduled for (UTC), not the time the function started;
  // the same for a retried invocation, so it keys a run.
  const scheduledTime = new Date(event.time);
  const ruleArn = event.resources[0];
  await runScheduledJob(scheduledTime, ruleArn);
  return { rule: ruleArn, scheduledTime: scheduledTime.toISOString() };
};
