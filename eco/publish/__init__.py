"""Publish stage: results out to a person (terminal), a program (JSON), the working tree,
or GitHub (pull requests; PyGithub is imported only when a client is made)."""

from eco.publish.apply import apply_verified
from eco.publish.document import result_document, result_entry
from eco.publish.ledger import PullLedger
from eco.publish.pulls import (
    GitHubError,
    OpenedPullRequest,
    PublishOutcome,
    PullRequestOptions,
    get_repository,
    github_client,
    open_pull_requests,
)
from eco.publish.terminal import render_report

__all__ = [
    "GitHubError",
    "OpenedPullRequest",
    "PublishOutcome",
    "PullLedger",
    "PullRequestOptions",
    "apply_verified",
    "get_repository",
    "github_client",
    "open_pull_requests",
    "render_report",
    "result_document",
    "result_entry",
]
