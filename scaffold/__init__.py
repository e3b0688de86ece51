"""lambda-new: generate AWS Lambda function repositories for Python and Node.js."""

__version__ = "0.4.0"
