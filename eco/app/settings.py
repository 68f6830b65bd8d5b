"""The App's settings: secrets and identity from the environment, knobs with defaults.

Every secret may be given directly (``ECO_WEBHOOK_SECRET``) or as a file named by the
``_FILE`` variant (``ECO_WEBHOOK_SECRET_FILE``), the way Docker and Kubernetes mount
secrets. ``ECO_APP_PRIVATE_KEY`` holds the PEM text itself, or a path to it. Once read,
`scrub_environment` removes them from ``os.environ`` so that no child process eco
starts (git, the pipeline's sandboxed runs) can inherit them.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from eco.errors import ConfigError

DEFAULT_API_URL = "https://api.github.com"

#: The variables that carry secrets, and their ``_FILE`` twins.
SECRET_VARIABLES = ("ECO_WEBHOOK_SECRET", "ECO_APP_PRIVATE_KEY")


@dataclass(frozen=True, repr=False)
class AppSettings:
    """What `eco serve` runs with. ``repr`` hides the secrets (a log line never shows them)."""

    webhook_secret: bytes
    app_id: str
    private_key: str
    api_url: str = DEFAULT_API_URL
    #: Worker threads, each running one job at a time.
    workers: int = 1
    #: Jobs running at once for one installation.
    per_installation: int = 1
    #: Jobs started per installation in any sliding hour.
    jobs_per_hour: int = 30
    #: Attempts before a job is marked failed.
    max_attempts: int = 3
    #: Seconds before the first retry; doubled for each later one.
    retry_base_s: float = 60.0
    #: A running job's lease, renewed while it runs; an expired lease returns it to the queue.
    lease_s: float = 60.0
    #: Keep each job's clone under the state directory after it ends (for inspection).
    keep_workdirs: bool = False
    #: Files the secrets were read from: masked from code under test (`eco.sandbox.mask_files`).
    secret_files: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"AppSettings(app_id={self.app_id!r}, api_url={self.api_url!r}, workers={self.workers})"

    @property
    def secrets(self) -> tuple[str, ...]:
        """The secret strings, for tests and log scrubbing."""
        return (self.webhook_secret.decode("utf-8"), self.private_key)


def _secret_files(env: Mapping[str, str]) -> tuple[str, ...]:
    """Every file a secret is read from: the ``_FILE`` variables, and a private key given
    as a path."""
    files = [env[f"{name}_FILE"] for name in SECRET_VARIABLES if env.get(f"{name}_FILE")]
    key = env.get("ECO_APP_PRIVATE_KEY", "")
    if key and "-----BEGIN" not in key:
        files.append(key.strip())
    return tuple(str(Path(f).resolve()) for f in files)


def _secret(env: Mapping[str, str], name: str) -> str | None:
    """``name`` from the environment, else the contents of the file ``name_FILE`` names."""
    value = env.get(name)
    file = env.get(f"{name}_FILE")
    if value and file:
        raise ConfigError(f"{name} and {name}_FILE are both set: set one")
    if value:
        return value
    if file:
        try:
            return Path(file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{file}: cannot read {name}_FILE ({exc})") from exc
    return None


def _private_key(text: str) -> str:
    """PEM text as given, or read from the path it names."""
    if "-----BEGIN" in text:
        return text.strip() + "\n"
    try:
        pem = Path(text).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        # The value might be a mangled key, not a path: never echo it.
        raise ConfigError("ECO_APP_PRIVATE_KEY: neither PEM text nor a readable file") from exc
    if "-----BEGIN" not in pem:
        raise ConfigError(f"{text}: ECO_APP_PRIVATE_KEY file is not a PEM key")
    return pem


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum:g}, got {raw}")
    return value


def load_settings(env: Mapping[str, str], workers: int = 1) -> AppSettings:
    """Read the App's settings from ``env``.

    Raises:
        ConfigError: A secret or the App id is missing, a file cannot be read, a knob is not a number.
    """
    secret = _secret(env, "ECO_WEBHOOK_SECRET")
    if not secret:
        raise ConfigError("ECO_WEBHOOK_SECRET (or ECO_WEBHOOK_SECRET_FILE) is not set")
    app_id = env.get("ECO_APP_ID", "").strip()
    if not app_id.isdigit():
        raise ConfigError("ECO_APP_ID: expected the App's numeric id")
    key = _secret(env, "ECO_APP_PRIVATE_KEY")
    if not key:
        raise ConfigError("ECO_APP_PRIVATE_KEY (or ECO_APP_PRIVATE_KEY_FILE) is not set")
    api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise ConfigError(f"GITHUB_API_URL: expected an http(s) URL, got {api_url!r}")
    return AppSettings(
        webhook_secret=secret.encode("utf-8"),
        app_id=app_id,
        private_key=_private_key(key),
        api_url=api_url,
        workers=workers,
        per_installation=int(_number(env, "ECO_APP_PER_INSTALLATION", 1, 1)),
        jobs_per_hour=int(_number(env, "ECO_APP_JOBS_PER_HOUR", 30, 1)),
        max_attempts=int(_number(env, "ECO_APP_MAX_ATTEMPTS", 3, 1)),
        retry_base_s=_number(env, "ECO_APP_RETRY_BASE_S", 60.0, 0),
        lease_s=_number(env, "ECO_APP_LEASE_S", 60.0, 1),
        keep_workdirs=env.get("ECO_APP_KEEP_WORKDIRS", "") not in ("", "0", "false", "no"),
        secret_files=_secret_files(env),
    )


def scrub_environment(env: MutableMapping[str, str]) -> None:
    """Remove the secrets (and the paths to them) from ``env``, normally ``os.environ``."""
    for name in SECRET_VARIABLES:
        env.pop(name, None)
        env.pop(f"{name}_FILE", None)


__all__ = ["DEFAULT_API_URL", "AppSettings", "load_settings", "scrub_environment"]
