"""The Lambda function's code: Lambda imports `handler.handler` from here."""
