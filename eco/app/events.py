"""What each GitHub event asks of the App: jobs to queue, jobs to cancel, a PR's fate.

`route` is pure (payload in, `Decision` out) so every rule here is testable without a
server. The rules:

- ``installation`` ``created`` (and ``installation_repositories`` ``added``): one run per
  repository the installation covers. ``deleted``: cancel the installation's jobs.
- ``push`` to the repository's default branch: a run of the pushed commit. It supersedes
  queued runs of the same repository (they would analyse an older commit), and the run
  itself is skipped when, by the time it starts, the default branch has moved past the
  pushed commit: a stale delivery never costs a pipeline run.
- ``issue_comment`` ``created`` whose first line is an ``/eco`` command, from an OWNER,
  MEMBER or COLLABORATOR (never from a bot): ``/eco optimize FILE::QUALNAME`` runs on
  that function only; ``/eco stop`` cancels the repository's queued runs and stops its
  running one. Each command gets a reply comment; others' commands get nothing (a reply
  to anyone would let strangers make the App spam).
- ``pull_request`` ``closed`` on an eco branch: the ledger records merged or not.
- Anything else (``ping`` included) needs no job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eco.app.queue import COMMENT, RUN, JobSpec

#: Comment authors whose commands are obeyed: people with write access.
TRUSTED = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
#: eco's pull-request branches start with this.
BRANCH_PREFIX = "eco/"
_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]*\.py$")
_QUALNAME = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
USAGE = ("eco understands `/eco optimize path/to/file.py::function_or.Class.method` "
         "and `/eco stop`.")


class BadPayload(ValueError):
    """A payload that does not have the shape of the event it claims to be (400)."""


@dataclass(frozen=True)
class ClosedPull:
    repo: str
    number: int
    merged: bool


@dataclass(frozen=True)
class Decision:
    """What one delivery asks for. ``note`` says why, for the log."""

    note: str
    installation_id: int | None = None
    repo: str | None = None
    specs: tuple[JobSpec, ...] = ()
    #: Cancel this installation's jobs, for one repository or (None) all of them.
    cancel: tuple[int, str | None] | None = None
    supersede: bool = False
    closed: ClosedPull | None = None
    #: ``/eco stop``: reply on this issue with how many jobs were stopped.
    stop_reply: int | None = None


def _get(payload: Mapping[str, Any], *path: str) -> Any:
    value: Any = payload
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            raise BadPayload(f"payload has no {'.'.join(path)}")
        value = value[key]
    return value


def _int(payload: Mapping[str, Any], *path: str) -> int:
    value = _get(payload, *path)
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadPayload(f"{'.'.join(path)} is not an integer")
    return value


def _str(payload: Mapping[str, Any], *path: str) -> str:
    value = _get(payload, *path)
    if not isinstance(value, str) or not value:
        raise BadPayload(f"{'.'.join(path)} is not a string")
    return value


def _repos(payload: Mapping[str, Any], key: str) -> list[str]:
    listed = payload.get(key) or []
    if not isinstance(listed, list):
        raise BadPayload(f"{key} is not a list")
    names = []
    for entry in listed:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("full_name"), str):
            raise BadPayload(f"{key} entry without full_name")
        names.append(entry["full_name"])
    return names


def parse_target(text: str) -> str | None:
    """``FILE::QUALNAME`` when it names a Python file inside the repository and a dotted name."""
    if "::" not in text:
        return None
    path, qualname = text.split("::", 1)
    if not _PATH.match(path) or ".." in path.split("/") or not _QUALNAME.match(qualname):
        return None
    return f"{path}::{qualname}"


def route(event: str, payload: Mapping[str, Any]) -> Decision:
    """The `Decision` for one delivery.

    Raises:
        BadPayload: The payload lacks a field this event must have.
    """
    if not isinstance(payload, Mapping):
        raise BadPayload("payload is not a JSON object")
    action = payload.get("action")
    if event == "installation":
        installation = _int(payload, "installation", "id")
        if action == "created":
            repos = _repos(payload, "repositories")
            specs = tuple(JobSpec(kind=RUN, installation_id=installation, repo=r) for r in repos)
            return Decision(f"installed on {len(repos)} repositories", installation, None, specs)
        if action == "deleted":
            return Decision("uninstalled", installation, cancel=(installation, None))
        return Decision(f"installation {action}: nothing to do", installation)
    if event == "installation_repositories":
        installation = _int(payload, "installation", "id")
        if action == "added":
            repos = _repos(payload, "repositories_added")
            specs = tuple(JobSpec(kind=RUN, installation_id=installation, repo=r) for r in repos)
            return Decision(f"added {len(repos)} repositories", installation, None, specs)
        return Decision(f"repositories {action}: nothing to do", installation)
    if event == "push":
        installation = _int(payload, "installation", "id")
        repo = _str(payload, "repository", "full_name")
        ref = _str(payload, "ref")
        default = _str(payload, "repository", "default_branch")
        after = _str(payload, "after")
        if ref != f"refs/heads/{default}":
            return Decision(f"push to {ref}, not the default branch", installation, repo)
        if payload.get("deleted") or set(after) == {"0"}:
            return Decision("default branch deleted", installation, repo)
        spec = JobSpec(kind=RUN, installation_id=installation, repo=repo, head_sha=after, ref=ref)
        return Decision(f"push of {after[:12]} to {default}", installation, repo, (spec,), supersede=True)
    if event == "issue_comment":
        return _comment(payload)
    if event == "pull_request":
        repo = _str(payload, "repository", "full_name")
        inst = payload.get("installation")
        pr_installation = inst.get("id") if isinstance(inst, Mapping) and isinstance(inst.get("id"), int) else None
        branch = _str(payload, "pull_request", "head", "ref")
        if action != "closed" or not branch.startswith(BRANCH_PREFIX):
            return Decision(f"pull request {action} on {branch}: nothing to do", pr_installation, repo)
        number = _int(payload, "number") if "number" in payload else _int(payload, "pull_request", "number")
        merged = bool(_get(payload, "pull_request", "merged"))
        return Decision(f"eco pull request #{number} {'merged' if merged else 'closed unmerged'}",
                        pr_installation, repo, closed=ClosedPull(repo, number, merged))
    return Decision(f"{event}: nothing to do")


def _comment(payload: Mapping[str, Any]) -> Decision:
    repo = _str(payload, "repository", "full_name")
    installation = _int(payload, "installation", "id")
    body = _get(payload, "comment", "body")
    if payload.get("action") != "created" or not isinstance(body, str):
        return Decision("comment not created: nothing to do", installation, repo)
    words = body.strip().split("\n", 1)[0].split()
    if not words or words[0] != "/eco":
        return Decision("comment without an /eco command", installation, repo)
    sender_type = payload.get("sender", {}).get("type") if isinstance(payload.get("sender"), Mapping) else None
    association = _get(payload, "comment", "author_association")
    if sender_type == "Bot" or association not in TRUSTED:
        return Decision(f"/eco command ignored: author association {association}, sender {sender_type}",
                        installation, repo)
    issue = _int(payload, "issue", "number")
    user = payload.get("comment", {}).get("user", {}).get("login", "someone")
    if words[1:2] == ["stop"] and len(words) == 2:
        return Decision("/eco stop", installation, repo, cancel=(installation, repo), stop_reply=issue)
    if words[1:2] == ["optimize"] and len(words) == 3 and (target := parse_target(words[2])) is not None:
        ack = JobSpec(kind=COMMENT, installation_id=installation, repo=repo, issue_number=issue,
                      body=f"@{user} eco queued a run on `{target}`; the result will be posted here.")
        run = JobSpec(kind=RUN, installation_id=installation, repo=repo, target=target, issue_number=issue)
        return Decision(f"/eco optimize {target}", installation, repo, (ack, run))
    reply = JobSpec(kind=COMMENT, installation_id=installation, repo=repo, issue_number=issue,
                    body=f"@{user} {USAGE}")
    return Decision("unknown /eco command", installation, repo, (reply,))


__all__ = ["BRANCH_PREFIX", "TRUSTED", "BadPayload", "ClosedPull", "Decision", "parse_target", "route"]
