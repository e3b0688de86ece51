"""Maintainers' script: rewrite the README's table of sample events from the catalog.

Run: python tools/readme_events.py. The table (between the `events-table` markers in
README.md, section "Sample events") lists every event of catalog/events/ with its source
and the two independent schemas tests/test_events.py checks it against: Powertools' parser
model and event data class, and the @types/aws-lambda type under `tsc --strict`.
tests/test_events.py fails when the table and the catalog disagree.
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START, END = "<!-- events-table: start -->", "<!-- events-table: end -->"


def table() -> str:
    from scaffold import events

    rows = [
        "| event | source | Powertools (model; data class) | @types/aws-lambda |",
        "|---|---|---|---|",
    ]
    for name, event in sorted(events.load().items()):
        schemas = event.schemas
        powertools = "; ".join(
            f"`{str(value).rpartition(':')[2]}`"
            for value in (schemas.get("pydantic"), schemas.get("dataclass"))
            if value
        )
        typescript = f"`{schemas['typescript']}`" if schemas.get("typescript") else ""
        rows.append(
            f"| `{name}` | {event.source} | {powertools or 'none upstream'} "
            f"| {(typescript or 'none upstream').replace('|', chr(92) + '|')} |"
        )
    return "\n".join(rows)


def rewritten(text: str) -> str:
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.DOTALL)
    return pattern.sub(lambda _: f"{START}\n{table()}\n{END}", text)


def main() -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text:
        raise SystemExit(f"README.md has no {START} marker")
    README.write_text(rewritten(text), encoding="utf-8")
    print(f"rewrote the events table in {README}")


if __name__ == "__main__":
    main()
