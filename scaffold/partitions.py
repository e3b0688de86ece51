"""AWS partitions: which one a region is in, and its DNS suffix (catalog/partitions.yml).

The table is botocore's (tools/partitions.py regenerates it): a region is in the
partition that lists it, else in the one whose pattern matches it, as the SDKs resolve
it. Every ARN lambda-new writes says `arn:<partition>:` and every AWS hostname ends in
the suffix; the Jinja side is catalog/events/_aws.jinja, from the same table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from scaffold import catalog


@dataclass(frozen=True)
class Partition:
    id: str  # aws, aws-cn, aws-us-gov, ...
    dns_suffix: str  # amazonaws.com, amazonaws.com.cn, ...
    region_regex: str
    regions: tuple[str, ...]


@cache
def table() -> tuple[Partition, ...]:
    data = catalog.read_yaml("partitions.yml")
    return tuple(
        Partition(
            id=str(entry["id"]),
            dns_suffix=str(entry["dns_suffix"]),
            region_regex=str(entry["region_regex"]),
            regions=tuple(str(region) for region in entry["regions"]),
        )
        for entry in data["partitions"]
    )


def of(region: str) -> Partition | None:
    """The partition of `region`; None for a region no partition knows or matches."""
    partitions = table()
    for partition in partitions:
        if region in partition.regions:
            return partition
    for partition in partitions:
        if re.search(partition.region_regex, region):
            return partition
    return None


def arn_partition(region: str) -> str:
    """The partition an ARN in `region` names (aws when the region is unknown)."""
    found = of(region)
    return found.id if found else "aws"


def dns_suffix(region: str) -> str:
    found = of(region)
    return found.dns_suffix if found else "amazonaws.com"


def arn(region: str, rest: str) -> str:
    """An ARN in `region`'s partition: arn(r, "lambda:us-east-1:1234:function:f") ->
    arn:aws:lambda:us-east-1:1234:function:f (arn:aws-cn:... in cn-north-1)."""
    return f"arn:{arn_partition(region)}:{rest}"


def refusal() -> str:
    """What a region no partition lists or matches is told: each partition's region form.

    copier.yml's region validator words it the same way, from the same table."""
    forms = ", ".join(f"{p.id} {form(p.region_regex)}" for p in table())
    return f"use a region of an AWS partition: {forms} (such as us-east-1 or cn-north-1)"


def form(region_regex: str) -> str:
    """A partition's region pattern in words: ^cn\\-\\w+\\-\\d+$ -> cn-<name>-<n>."""
    for token, text in (("^", ""), ("$", ""), ("\\-", "-"), ("\\w+", "<name>"), ("\\d+", "<n>")):
        region_regex = region_regex.replace(token, text)
    return region_regex
