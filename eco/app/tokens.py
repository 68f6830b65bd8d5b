"""The App's identity: a JWT signed with its private key, traded for installation tokens.

GitHub wants the JWT's ``iat`` backdated 60 s (clock drift) and its ``exp`` at most 10
minutes ahead; ``iss`` is the App id. An installation token lasts an hour; `TokenCache`
keeps each one until five minutes before its ``expires_at`` so that a job never starts
with a token about to lapse. Tokens are never logged and never written to disk.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from eco.errors import EcoError

API_VERSION = "2022-11-28"
#: A cached token is renewed this long before it expires.
REFRESH_MARGIN_S = 300.0


class TokenError(Exception):
    """GitHub refused or failed to issue a token (retryable: a job that hits it is retried)."""


class InstallationGone(EcoError):
    """The installation no longer exists or no longer covers the repository (404)."""


def app_jwt(app_id: str, private_key: str, now: float | None = None) -> str:
    """A JWT that authenticates as the App for the next nine minutes."""
    import jwt  # eco[github]; `eco serve` checks it is there before it starts

    now = time.time() if now is None else now
    claims = {"iat": int(now) - 60, "exp": int(now) + 9 * 60, "iss": app_id}
    return jwt.encode(claims, private_key, algorithm="RS256")


@dataclass(frozen=True, repr=False)
class InstallationToken:
    token: str
    expires_at: float

    def __repr__(self) -> str:  # never the token itself
        return f"InstallationToken(expires_at={self.expires_at})"


def _parse_time(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class TokenCache:
    """Installation tokens for one App, minted on demand and reused while fresh."""

    def __init__(self, app_id: str, private_key: str, api_url: str, timeout: float = 30.0,
                 on_mint: Callable[[str], None] | None = None) -> None:
        self.app_id = app_id
        self._key = private_key
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        #: Called with each new token (the logger adds it to what it redacts).
        self.on_mint = on_mint
        self._tokens: dict[tuple[int, str | None], InstallationToken] = {}
        self._lock = threading.Lock()
        self.minted = 0

    def token(self, installation_id: int, repo: str | None = None, now: float | None = None) -> str:
        """A token for ``installation_id`` valid for at least `REFRESH_MARGIN_S` more seconds,
        limited to ``repo`` (``owner/name``) when given: a job gets access to its repository only.

        Raises:
            InstallationGone: GitHub answers 404 (the App was uninstalled).
            TokenError: Any other refusal or a network failure.
        """
        now = time.time() if now is None else now
        with self._lock:
            cached = self._tokens.get((installation_id, repo))
            if cached is not None and cached.expires_at - REFRESH_MARGIN_S > now:
                return cached.token
            fresh = self._mint(installation_id, repo)
            if self.on_mint is not None:
                self.on_mint(fresh.token)
            self._tokens[(installation_id, repo)] = fresh
            self.minted += 1
            return fresh.token

    def _mint(self, installation_id: int, repo: str | None) -> InstallationToken:
        url = f"{self.api_url}/app/installations/{installation_id}/access_tokens"
        body = {"repositories": [repo.split("/", 1)[1]]} if repo and "/" in repo else {}
        request = urllib.request.Request(url, method="POST", data=json.dumps(body).encode(), headers={
            "Authorization": f"Bearer {app_jwt(self.app_id, self._key)}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "Content-Type": "application/json",
            "User-Agent": "eco-app",
        })
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                document = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise InstallationGone(f"installation {installation_id}: not found (uninstalled?)") from None
            raise TokenError(f"installation {installation_id}: token request answered {exc.code}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TokenError(f"installation {installation_id}: token request failed ({type(exc).__name__})") from None
        try:
            return InstallationToken(token=str(document["token"]), expires_at=_parse_time(document["expires_at"]))
        except (KeyError, TypeError, ValueError):
            raise TokenError(f"installation {installation_id}: token response without token/expires_at") from None


__all__ = ["InstallationGone", "InstallationToken", "TokenCache", "TokenError", "app_jwt"]
