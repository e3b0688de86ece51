"""`python -m scaffold` runs the lambda-new CLI."""

from scaffold.entry import run

run()
