"""CODEOWNERS: who reviews a file, as GitHub decides it.

GitHub reads the first of ``.github/CODEOWNERS``, ``CODEOWNERS``, ``docs/CODEOWNERS``;
patterns follow gitignore rules and the LAST matching line wins (a line with no owners
un-assigns). ``@user`` owners become review requests for users, ``@org/team`` owners for
teams; e-mail owners cannot be requested through the API and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CODEOWNERS_PATHS", "CodeOwners", "Owners"]

#: Where GitHub looks, in its order.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@dataclass(frozen=True)
class Owners:
    """Review requests for one set of files."""

    users: tuple[str, ...] = ()
    #: Team slugs (the part after ``org/``).
    teams: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.users or self.teams)


class CodeOwners:
    """Parsed rules of one CODEOWNERS file."""

    def __init__(self, text: str) -> None:
        self.rules: list[tuple[re.Pattern[str], tuple[str, ...]]] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            fields = re.split(r"(?<!\\)\s+", line)
            pattern, owners = fields[0].replace("\\ ", " "), []
            for owner in fields[1:]:
                if owner.startswith("#"):
                    break
                owners.append(owner)
            self.rules.append((_compile(pattern), tuple(owners)))

    def owners(self, path: str) -> tuple[str, ...]:
        """The raw owners of ``path`` (repository-relative): the last matching rule's."""
        path = path.lstrip("/")
        found: tuple[str, ...] = ()
        for regex, owners in self.rules:
            if regex.match(path):
                found = owners
        return found

    def reviewers(self, paths: list[str] | tuple[str, ...], exclude: tuple[str, ...] = ()) -> Owners:
        """Users and teams to request for a change touching ``paths`` (deduplicated,
        minus ``exclude`` logins such as the PR's author, who cannot review it)."""
        users: dict[str, None] = {}
        teams: dict[str, None] = {}
        for path in paths:
            for owner in self.owners(path):
                if not owner.startswith("@"):
                    continue
                name = owner[1:]
                if "/" in name:
                    teams[name.split("/", 1)[1]] = None
                elif name.lower() not in {e.lower() for e in exclude}:
                    users[name] = None
        return Owners(tuple(users), tuple(teams))


def _compile(pattern: str) -> re.Pattern[str]:
    """A gitignore-style pattern as an anchored regex over repository-relative paths."""
    dir_only = pattern.endswith("/")
    body = pattern.strip("/")
    anchored = pattern.startswith("/") or "/" in body
    out = []
    i = 0
    while i < len(body):
        if body.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif body.startswith("/**", i) and i + 3 == len(body):
            out.append("/.*")
            i += 3
        elif body.startswith("**", i):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            out.append("[^/]*")
            i += 1
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(body[i]))
            i += 1
    prefix = "" if anchored or body.startswith("**") else "(?:.*/)?"
    # A pattern names a file or a directory; a directory owns everything under it.
    suffix = "/.*" if dir_only else "(?:/.*)?"
    if body == "*":
        return re.compile(r".*\Z")
    return re.compile(prefix + "".join(out) + suffix + r"\Z")
