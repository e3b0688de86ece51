"""The template's questions as the user knows them: one table, read by every verb.

Each question of copier.yml that lambda-new answers has a command-line option of
`lambda-new new`, a field of `project.NewProject`, and (for team defaults) a
setting of `lambda-new config` (LAMBDA_NEW_<KEY>, the config file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    name: str  # in copier.yml and .copier-answers.yml
    option: str  # of `lambda-new new`
    field: str  # of project.NewProject
    setting: str | None  # of `lambda-new config` (a team default), if any
    noun: str  # what it is, in "unknown {noun} 'x'; choose one of: ..."

    @property
    def label(self) -> str:
        """How an error names it: its option (--region), or what the argument is."""
        return self.option if self.option.startswith("-") else self.noun


FUNCTION_NAME = Question("function_name", "NAME", "name", None, "function name")
ASKED = (
    Question("runtime", "--runtime", "runtime", "runtime", "runtime"),
    # The version's team default is per runtime: python_version, node_version (config.py).
    Question("runtime_version", "--runtime-version", "runtime_version", None, "runtime version"),
    Question("architecture", "--arch", "architecture", "arch", "architecture"),
    Question("trigger", "--trigger", "trigger", "trigger", "trigger"),
    Question("region", "--region", "region", "region", "region"),
    Question("description", "--description", "description", None, "description"),
    Question("owner", "--owner", "owner", "owner", "owner tag"),
    Question("team", "--team", "team", "team", "team tag"),
    Question("ci", "--ci", "ci", "ci", "CI provider"),
    Question("powertools", "--powertools", "powertools", "powertools", "Powertools switch"),
)
BY_NAME = {question.name: question for question in (FUNCTION_NAME, *ASKED)}
BY_SETTING = {question.setting: question for question in ASKED if question.setting}


def logical_id_prefix(name: str) -> str:
    """The function's part of its resources' logical ids: my-func -> MyFunc (MyFuncFunction,
    MyFuncQueue...), so that a repo can hold more functions without renames. A letter
    comes first, as CloudFormation requires: 2fa -> Fn2fa."""
    prefix = "".join(word[:1].upper() + word[1:] for word in re.split(r"[-_]+", name))
    return prefix if prefix[:1].isalpha() else f"Fn{prefix}"
