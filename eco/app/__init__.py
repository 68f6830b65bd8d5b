"""The GitHub App (`eco serve`): webhooks in, a durable job queue, pull requests out.

The App sits above the pipeline: it calls `eco.pipeline.suggest` and
`eco.publish.pulls.open_pull_requests`; nothing below imports it.
"""

from eco.app.events import Decision, route
from eco.app.queue import Job, JobQueue, JobSpec
from eco.app.server import serve
from eco.app.settings import AppSettings, load_settings, scrub_environment
from eco.app.signature import sign, verify
from eco.app.tokens import TokenCache, app_jwt

__all__ = [
    "AppSettings",
    "Decision",
    "Job",
    "JobQueue",
    "JobSpec",
    "TokenCache",
    "app_jwt",
    "load_settings",
    "route",
    "scrub_environment",
    "serve",
    "sign",
    "verify",
]
