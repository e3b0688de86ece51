"""lambda-new: generate AWS Lambda function repositories in Python, JavaScript or TypeScript."""

__version__ = "0.9.0"
