/**
 * Entry point of this Lambda function: a tiny JSON API called through its function URL,
 * with Powertools for AWS Lambda (TypeScript).
 *
 * Lambda passes each HTTP request to the URL as the event (the format of API Gateway's
 * payload 2.0) and turns the object returned here into the HTTP response. The API, its
 * routes and answers, is app.ts: Powertools' Router reads the event (rawPath,
 * rawQueryString, the body) and writes the response in the format of function URLs; this
 * handler adds the request's log record and correlation id.
 *
 * What Powertools adds: each log record is one JSON object with the service, the
 * invocation's ids and cold_start, and the function URL's request id as correlation_id; a
 * ColdStart metric on the first invocation of an execution environment; and, in app.ts,
 * an X-Ray subsegment and the metrics latency, error and fault for each request.
 *
 * Lambda awaits the promise the handler returns; code at module level runs once per
 * execution environment (a "cold start"), so create clients there, as app.ts does
 * Powertools' Logger, Metrics and Tracer.
 */
import type {
  APIGatewayEventRequestContextIAMAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
  LambdaFunctionURLEvent,
  LambdaFunctionURLHandler,
} from "aws-lambda";

import { app, logger, metrics } from "./app.ts";

/**
 * A request to the function URL. With AuthType AWS_IAM (template.yaml) Lambda adds who
 * signed it, requestContext.authorizer.iam; with AuthType NONE there is no authorizer.
 */
export type FunctionURLRequest = LambdaFunctionURLEvent & {
  requestContext: { authorizer?: APIGatewayEventRequestContextIAMAuthorizer };
};

/**
 * Answer one HTTP request, like events/function-url-get.json, in the response format of
 * function URLs (payload 2.0's).
 *
 * It always returns the structured response: LambdaFunctionURLResult also allows a bare
 * string, which Lambda sends as the body of a 200 response.
 */
export const handler = (async (
  event: FunctionURLRequest,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context); // function_request_id, cold_start... in each record
  logger.setCorrelationId(event.requestContext.requestId);
  metrics.captureColdStartMetric(context.functionName); // printed at once, if this is one
  try {
    const result = await app.resolve(event, context);
    const method = event.requestContext.http.method;
    // AuthType AWS_IAM (template.yaml): who signed the request, an IAM user or role ARN.
    // Without an authorizer the record has no caller field.
    const caller = event.requestContext.authorizer?.iam.userArn;
    logger.info("request", { method, path: event.rawPath, status: result.statusCode, caller });
    // Function URLs take cookies apart from the headers: the Router moves Set-Cookie there.
    return result;
  } finally {
    logger.resetKeys(); // the correlation id is this request's only
  }
}) satisfies LambdaFunctionURLHandler;
