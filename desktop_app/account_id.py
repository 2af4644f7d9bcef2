"""LINE WORKS account ID rules (local@domain)."""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 90
LOCAL_MIN, LOCAL_MAX = 2, 40

_LOCAL_CHARS = re.compile(r"[a-z0-9._-]+")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# An ID that breaks none of the rules below, as one pattern: at most 90 characters, no "..";
# local part of 2–40 allowed characters starting with a letter or digit and not ending in ".";
# a domain of one label, or labels ending in a TLD of 2+ letters or "xn--…". A match means
# check_account_id returns [] (it is only a shortcut; anything else takes the rule-by-rule path).
_LABEL_SRC = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_VALID = re.compile(
    r"(?=.{1,%d}\Z)(?!.*\.\.)[a-z0-9][a-z0-9._-]{%d,%d}[a-z0-9_-]@"
    r"(?:%s|(?:%s\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{0,58}[a-z0-9]))"
    % (MAX_LENGTH, LOCAL_MIN - 2, LOCAL_MAX - 2, _LABEL_SRC, _LABEL_SRC))


@dataclass(frozen=True)
class IdProblem:
    code: str
    detail: str = ""


def check_account_id(normalized: str) -> list[IdProblem]:
    """Return every rule the (already normalised) ID breaks; an empty list means valid."""
    if _VALID.fullmatch(normalized):
        return []
    problems: list[IdProblem] = []
    if not normalized:
        return [IdProblem("id.empty")]
    if len(normalized) > MAX_LENGTH:
        problems.append(IdProblem("id.too_long", str(len(normalized))))
    if normalized.count("@") != 1:
        problems.append(IdProblem("id.at_count", str(normalized.count("@"))))
        return problems
    local, domain = normalized.split("@")
    if not LOCAL_MIN <= len(local) <= LOCAL_MAX:
        problems.append(IdProblem("id.local_length", str(len(local))))
    # One match over the whole part; the per-character scan only runs to name what is wrong.
    bad = [] if _LOCAL_CHARS.fullmatch(local) else sorted(set(ch for ch in local if not _LOCAL_CHARS.fullmatch(ch)))
    if bad:
        problems.append(IdProblem("id.local_chars", "".join(bad)))
    if local[:1] in (".", "-", "_"):
        problems.append(IdProblem("id.local_start", local[0]))
    if local.endswith("."):
        problems.append(IdProblem("id.local_trailing_dot"))
    if ".." in local:
        problems.append(IdProblem("id.local_double_dot"))
    problems.extend(_check_domain(domain))
    return problems


def _check_domain(domain: str) -> list[IdProblem]:
    if not domain:
        return [IdProblem("id.domain_empty")]
    # A bare group name (d-lighted) is one label; a real domain has two or more and a TLD of letters.
    labels = domain.split(".")
    if any(not lab for lab in labels):
        return [IdProblem("id.domain_dot")]
    bad_labels = [lab for lab in labels if not _LABEL.fullmatch(lab)]
    if bad_labels:
        return [IdProblem("id.domain_invalid", bad_labels[0])]
    # Every real top-level domain is two or more letters ("example.c" is a mistyped ".co"/".com"),
    # or an internationalised one in punycode (.コム = xn--tckwe).
    tld = labels[-1]
    if len(labels) > 1 and not ((tld.isalpha() and len(tld) >= 2) or tld.startswith("xn--")):
        return [IdProblem("id.domain_tld", labels[-1])]
    return []


def is_valid(normalized: str) -> bool:
    return not check_account_id(normalized)
