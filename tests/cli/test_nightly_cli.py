"""`eco nightly` end to end: a real `python -m eco` process against the GitHub stand-in."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from github_standin import GitHubStandin, iter_bodies

from tests.conftest import EXAMPLE, MakeRepo, commit_all, git

TINY = {
    "pkg/__init__.py": "",
    "pkg/text.py": (
        "def shout(text):\n"
        "    return text.upper() + '!'\n"
        "\n\n"
        "def whisper(text):\n"
        "    return text.lower()\n"
    ),
    "tests/test_text.py": (
        "from pkg.text import shout, whisper\n\n\n"
        "def test_shout():\n    assert shout('a') == 'A!'\n\n\n"
        "def test_whisper():\n    assert whisper('A') == 'a'\n"
    ),
    "workload.py": (
        "from pkg.text import shout, whisper\n\n"
        "for i in range(20000):\n    shout('hello world')\n    whisper('HELLO')\n"
    ),
    "pyproject.toml": '[project]\nname = "tiny"\nversion = "0.1.0"\n\n[tool.eco]\nworkload = "python workload.py"\n',
}
SECRET = "ghp_" + "n1ght1y" * 5


def run_eco(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    return subprocess.run([sys.executable, "-m", "eco", "nightly", *args], cwd=cwd, capture_output=True, text=True,
                          env={**base, "ECO_GITHUB_WRITE_INTERVAL": "0", **(env or {})}, timeout=900)


@pytest.fixture
def tiny(make_repo: MakeRepo, github_standin: GitHubStandin) -> Path:
    root = make_repo(TINY)
    github_standin.add_repo("acme", "tiny", root)
    return root


def test_missing_settings_are_one_line_errors(tiny: Path, github_standin: GitHubStandin) -> None:
    done = run_eco(tiny, "--repo", "acme/tiny")
    assert done.returncode == 2
    assert done.stderr.startswith("eco: error: no GitHub token: set GITHUB_TOKEN")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    done = run_eco(tiny, env={"GITHUB_TOKEN": SECRET})
    assert done.returncode == 2
    assert done.stderr == ("eco: error: no repository to open pull requests on: set GITHUB_REPOSITORY=owner/name "
                           "(eco nightly also takes --repo)\n")
    done = run_eco(tiny, "--repo", "acme", env={"GITHUB_TOKEN": SECRET})
    assert (done.returncode, done.stderr) == (2, "eco: error: --repo acme: expected owner/name\n")
    # A token GitHub refuses fails before the pipeline runs, and is never printed.
    done = run_eco(tiny, env={"GITHUB_TOKEN": SECRET, "GITHUB_REPOSITORY": "acme/tiny",
                              "GITHUB_API_URL": github_standin.api_url})
    assert done.returncode == 2
    assert done.stderr == ("eco: error: acme/tiny: GitHub refused the token (401 Bad credentials); "
                           "check GITHUB_TOKEN\n")
    assert SECRET not in done.stdout + done.stderr
    # An output in a missing directory, or an unreadable ledger: refused before the run.
    done = run_eco(tiny, "--dry-run", "--output", str(tiny / "missing" / "eco.json"))
    assert (done.returncode, done.stderr) == (2, f"eco: error: {tiny / 'missing' / 'eco.json'}: cannot write the "
                                                 "result document there: its directory does not exist\n")
    ledger = tiny / "broken.sqlite"
    ledger.write_bytes(b"garbage" * 200)
    done = run_eco(tiny, "--dry-run", "--ledger", str(ledger))
    assert done.returncode == 2
    assert done.stderr.startswith(f"eco: error: {ledger}: the pull-request ledger cannot be read")
    assert done.stderr.count("\n") == 1
    assert not (tiny / ".eco" / "profiles").exists()


def test_nightly_with_nothing_to_open_writes_document_and_summary(tiny: Path, github_standin: GitHubStandin,
                                                                   tmp_path: Path) -> None:
    token = github_standin.issue_token()
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n")
    document_path = tmp_path / "out" / "eco.json"
    document_path.parent.mkdir()
    done = run_eco(tiny, "--json", "--output", str(document_path),
                   env={"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/tiny", "GITHUB_API_URL": github_standin.api_url,
                        "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert json.loads(document_path.read_text()) == document
    assert document["mode"] == "nightly" and document["workload"] == "python workload.py"
    assert document["results"] and all(r["status"] == "no-candidate" for r in document["results"])
    first = document["results"][0]
    assert document["pull_requests"] == {"opened": [], "skipped": []}
    text = summary.read_text()
    assert text.startswith("# earlier step\n## eco nightly\n")
    assert f"| `pkg/text.py::{first['qualname']}` | no-candidate |" in text and "- none opened" in text
    assert github_standin.pulls("acme", "tiny") == []
    assert token not in text and token not in done.stdout + done.stderr


def test_dry_run_needs_no_token(tiny: Path) -> None:
    done = run_eco(tiny, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "## eco dry-run" in done.stdout and "### Would open (dry run)" in done.stdout
    assert "- nothing" in done.stdout


def test_pr_mode_comments_once_and_updates_in_place(tiny: Path, github_standin: GitHubStandin,
                                                    tmp_path: Path) -> None:
    token = github_standin.issue_token()
    git(tiny, "checkout", "-q", "-b", "feature")
    (tiny / "pkg" / "text.py").write_text(TINY["pkg/text.py"].replace("+ '!'", "+ '!!'"))
    (tiny / "tests" / "test_text.py").write_text(TINY["tests/test_text.py"].replace("'A!'", "'A!!'"))
    commit_all(tiny, "louder")
    github_standin.push("acme", "tiny", tiny, "feature:refs/heads/feature")
    number = github_standin.add_pull("acme", "tiny", "feature", title="louder", login="dev")
    env = {"GITHUB_TOKEN": token, "GITHUB_API_URL": github_standin.api_url}
    dry = run_eco(tiny, "--pr", str(number), "--repo", "acme/tiny", "--dry-run", "--json", env=env)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["comment"]["posted"] is False
    assert github_standin.comments("acme", "tiny", number) == []
    done = run_eco(tiny, "--pr", str(number), "--repo", "acme/tiny", "--json", env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["mode"] == "pr" and document["comment"]["updated"] is False
    assert document["comment"]["posted"] is True
    assert [r["qualname"] for r in document["results"]] == ["shout"]  # only what the PR touched
    [comment] = github_standin.comments("acme", "tiny", number)
    assert comment.body.startswith("<!-- eco:pr-comment -->\n### eco: performance check")
    assert "`pkg/text.py::shout`" in comment.body and "whisper" not in comment.body
    # A second push touches whisper too; Actions runs eco for the pull_request event.
    (tiny / "pkg" / "text.py").write_text((tiny / "pkg" / "text.py").read_text().replace(".lower()", ".lower() + ''"))
    head = commit_all(tiny, "whisper too")
    github_standin.push("acme", "tiny", tiny, "feature:refs/heads/feature")
    base = git(tiny, "rev-parse", "main").strip()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "synchronize", "number": number, "pull_request": {
        "number": number, "base": {"sha": base, "ref": "main"}, "head": {"sha": head, "ref": "feature"}}}))
    done = run_eco(tiny, env={**env, "GITHUB_REPOSITORY": "acme/tiny", "GITHUB_EVENT_NAME": "pull_request",
                              "GITHUB_EVENT_PATH": str(event)})
    assert done.returncode == 0, done.stderr
    [comment] = github_standin.comments("acme", "tiny", number)  # still one comment, edited
    assert "`pkg/text.py::whisper`" in comment.body and "`pkg/text.py::shout`" in comment.body
    assert "Comment updated" in done.stdout
    assert github_standin.api_requests("PATCH", "/repos/acme/tiny/issues/comments/")
    for body in iter_bodies(github_standin):
        assert token not in body


def test_pr_mode_bad_event_payload(tiny: Path, github_standin: GitHubStandin, tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text("{not json")
    done = run_eco(tiny, env={"GITHUB_TOKEN": "x", "GITHUB_REPOSITORY": "acme/tiny",
                              "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": str(event)})
    assert done.returncode == 2
    assert done.stderr.startswith(f"eco: error: {event}: not a pull_request event payload")


@pytest.mark.slow
def test_nightly_opens_verified_prs_on_the_example(tmp_path: Path, github_standin: GitHubStandin) -> None:
    """The whole loop: profile, draft, verify (real pyperf), then PRs on the stand-in."""
    root = tmp_path / "textkit"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".eco", "__pycache__", ".pytest_cache"))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        "[tool.eco]\n", "[tool.eco]\nbench_rounds = 2\nbench_processes = 2\nbench_values = 2\n"))
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text(".eco/\n__pycache__/\n")
    commit_all(root, "textkit")
    github_standin.add_repo("acme", "textkit", root)
    token = github_standin.issue_token()
    summary = tmp_path / "summary.md"
    done = run_eco(root, "--max-prs", "2", "--json",
                   env={"GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/textkit",
                        "GITHUB_API_URL": github_standin.api_url, "GITHUB_STEP_SUMMARY": str(summary)})
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    verified = [r for r in document["results"] if r["status"] == "verified"]
    opened = document["pull_requests"]["opened"]
    assert verified and len(opened) == min(2, len(verified))
    for pr in opened:
        entry = next(r for r in verified if r["qualname"] == pr["qualname"])
        # The branch holds exactly the verified patch on top of main.
        check = tmp_path / f"check-{pr['number']}"
        git(root, "worktree", "add", "-q", "--detach", str(check), "main")
        subprocess.run(["git", "apply", "-"], cwd=check, input=entry["patch"], text=True, check=True)
        assert github_standin.file_at("acme", "textkit", pr["branch"], pr["file"]) == (check / pr["file"]).read_text()
        pull = next(p for p in github_standin.pulls("acme", "textkit") if p.number == pr["number"])
        assert f"<!-- eco:{pr['file']}::{pr['qualname']}:{pr['source_hash']} -->" in pull.body
        assert f"eco verify --target {pr['file']}::{pr['qualname']}" in pull.body
    assert "### Pull requests" in summary.read_text()
    for body in iter_bodies(github_standin):
        assert token not in body


def test_the_action_passes_its_inputs_to_eco_nightly(tiny: Path, tmp_path: Path) -> None:
    """Run action.yml's own script (inputs through the environment) as a dry run."""
    import yaml

    action = yaml.safe_load((Path(__file__).resolve().parents[2] / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "eco")
    script = step["run"].replace('eco "${args[@]}"', 'python -m eco "${args[@]}" --dry-run --json')
    # Every input the step reads is an input of the action, and each is handed over through env.
    assert set(step["env"]) == {f"INPUT_{k.upper().replace('-', '_')}" for k in action["inputs"]} - {
        "INPUT_PYTHON_VERSION", "INPUT_WORKING_DIRECTORY"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    env.update({"INPUT_WORKLOAD": "python workload.py", "INPUT_MAX_PRS": "1", "INPUT_MAX_OPEN": "4",
                "INPUT_MIN_SPEEDUP": "1.5", "INPUT_DRAFTER": "recipes", "INPUT_MODEL": "", "INPUT_BASE_URL": "",
                "INPUT_DRAFT": "true", "INPUT_CAMPAIGN": "false", "INPUT_OUTPUT": "eco-results.json",
                "GITHUB_OUTPUT": str(tmp_path / "output.txt")})
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tiny, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["mode"] == "dry-run"
    assert json.loads((tiny / "eco-results.json").read_text())["workload"] == "python workload.py"
    assert (tmp_path / "output.txt").read_text() == f"result={tiny}/eco-results.json\n"


def test_suggest_open_prs_checks_github_before_the_run(tiny: Path, github_standin: GitHubStandin) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}

    def suggest(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "eco", "suggest", str(tiny), "--open-prs"], capture_output=True,
                              text=True, env={**base, **env}, timeout=600)

    done = suggest({})
    assert done.returncode == 2
    assert done.stderr.startswith("eco: error: no repository to open pull requests on: set GITHUB_REPOSITORY")
    done = suggest({"GITHUB_REPOSITORY": "acme/tiny", "GITHUB_TOKEN": SECRET, "GITHUB_API_URL": github_standin.api_url})
    assert done.returncode == 2 and "GitHub refused the token (401 Bad credentials)" in done.stderr
    assert not (tiny / ".eco" / "profiles").exists()
