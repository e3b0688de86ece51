"""`python -m scaffold` runs the lambda-new CLI."""

from scaffold.cli import run

run()
