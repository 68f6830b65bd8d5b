"""The loop every surface runs: profile → code → draft → verify, one result per target.

The CLI, the nightly job and the GitHub App call `suggest`; none of them reaches into a
stage directly. Stages never print: progress goes through the ``progress`` callback.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from eco.capture.store import CaptureStore
from eco.code import Target, locate, read_source, with_findings
from eco.config import EcoConfig
from eco.draft.records import Candidate

if TYPE_CHECKING:
    from eco.draft.llm import LLMDraft, LLMDrafter
    from eco.index import Precedent
    from eco.verify.verifier import Verifier
from eco.errors import EcoError, ProfileError, SourceError
from eco.profile import (
    DEFAULT_EXCLUDE,
    DEFAULT_WORKLOAD,
    HotFunction,
    ReadOptions,
    changed_functions,
    diff_targets,
    load_profile,
    profile_workload,
    workload_script,
)
from eco.results import FunctionResult, Lineage, SuggestResult
from eco.verify.records import Status, Verdict
from eco.verify.worktree import take_snapshot

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SuggestOptions:
    root: Path
    config: EcoConfig
    profiles: Sequence[Path] = ()
    #: How profile files are read and merged (path maps, weights, pprof sample type).
    read: ReadOptions = field(default_factory=ReadOptions)
    #: ``BASE..HEAD``: target only the functions this diff touches, ranked by the profile.
    diff: str | None = None
    #: ``(file, qualname)`` pairs: target only these functions (the App's ``/eco optimize
    #: path::func``), whether or not the profile ranks them.
    only: tuple[tuple[str, str], ...] = ()


def state_dir(root: Path) -> Path:
    """``.eco/`` under the project: profiles, captured inputs, results."""
    path = root / ".eco"
    path.mkdir(parents=True, exist_ok=True)
    return path


def suggest(options: SuggestOptions, progress: Progress = lambda _m: None) -> SuggestResult:
    """Profile the project, draft candidates for its hot functions, and verify them."""
    from eco.draft import detect, draft_recipes
    from eco.verify.verifier import Verifier

    root = options.root.resolve()
    config = options.config
    # An LLM drafter is built first: a missing key or extra stops the run before any work.
    llm = llm_drafter(root, config)
    llm_notes: dict[tuple[str, str], str] = {}
    llm_first: dict[tuple[str, str], LLMDraft] = {}
    llm_context: dict[tuple[str, str], tuple[list[Precedent], list[str]]] = {}
    snapshot = take_snapshot(root)
    workload = config.workload or DEFAULT_WORKLOAD
    state = state_dir(root)
    exclude = (*DEFAULT_EXCLUDE, *config.exclude)
    script = workload_script(workload, root)
    also_exclude = (script,) if script else ()

    check_repository_syntax(root, exclude)
    read = replace(options.read, path_map=(*config.path_map, *options.read.path_map))
    changed = changed_functions(root, options.diff, exclude, also_exclude) if options.diff else None
    if options.profiles:
        progress(f"reading {len(options.profiles)} profile input(s)")
        profile = load_profile(options.profiles, root, exclude, also_exclude, read, progress)
    else:
        progress(f"profiling the workload under {config.profiler}: {workload}")
        suffix = ".pyisession" if config.profiler == "pyinstrument" else ".prof"
        out = state / "profiles" / f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}{suffix}"
        profile_workload(root, workload, out, timeout_s=config.timeout, profiler=config.profiler)
        profile = load_profile([out], root, exclude, also_exclude, read, progress)

    if changed is not None:
        # Diff mode: every touched function, profiled ones first; the rest have share 0.
        progress(f"{len(changed)} function(s) touched by {options.diff}")
        hot = diff_targets(profile, changed)[: config.max_targets]
    else:
        hot = profile.targets(config.min_share, config.max_share)[: config.max_targets]
    if options.only:
        hot = only_targets(root, profile.functions, options.only)
    results: list[FunctionResult] = []
    located: list[Target] = []
    for fn in hot:
        try:
            located.append(locate(fn, root))
        except EcoError as exc:
            results.append(FunctionResult(hot=fn, status="error", reason=str(exc)))
    if not located:
        return SuggestResult(root, workload, profile, tuple(results), llm_usage=llm_usage(llm))

    drafts: dict[tuple[str, str], list[Candidate]] = {}
    targets: list[Target] = []
    for target in located:
        findings = [f for f in detect(target.file_source, target.file) if f.qualname == target.qualname]
        target = with_findings(target, tuple(dict.fromkeys(f.id for f in findings)), 0)
        if llm is None:
            drafts[(target.file, target.qualname)] = draft_recipes(target)
        else:
            progress(f"drafting {target.qualname} with {config.drafter} {config.model}")
            shown, lines = llm_precedents(root, target), [f"{f.id} (line {f.line}): {f.message}" for f in findings]
            draft = llm.draft(target, precedents=shown, findings=lines)
            drafts[(target.file, target.qualname)] = draft.candidates
            llm_first[(target.file, target.qualname)] = draft
            llm_context[(target.file, target.qualname)] = (shown, lines)
            if draft.error is not None or not draft.candidates:
                llm_notes[(target.file, target.qualname)] = draft.error or (
                    "no usable candidate from the model: " + "; ".join(draft.refusals))
        targets.append(target)

    to_verify = [t for t in targets if drafts[(t.file, t.qualname)]]
    captures: CaptureStore | None = None
    if to_verify:
        progress(f"capturing real calls of {len(to_verify)} function(s)")
        captures = capture_inputs(root, workload, to_verify, state, config)

    verdicts: dict[tuple[str, str], FunctionResult] = {}
    if to_verify:
        with Verifier(snapshot, config, captures, progress) as verifier:
            verifier.check_baseline()
            verifier.watch([t.file for t in to_verify])
            for target in to_verify:
                key = (target.file, target.qualname)
                summary = captures.summary(*key) if captures else None
                target = replace(target, captured_calls=summary.stored if summary else 0)
                candidates = drafts[key]
                if llm is not None:
                    verdicts[key] = llm_result(llm, target, llm_first[key], verifier, config,
                                               llm_context[key], progress)
                    continue
                last: FunctionResult | None = None
                for index, candidate in enumerate(candidates, 1):
                    progress(f"verifying {target.qualname} ({candidate.antipattern}), candidate {index} of {len(candidates)}")
                    verdict = verifier.verify(target.file, target.qualname, candidate.patch)
                    last = FunctionResult(hot=target.hot, status=verdict.status, reason=verdict.reason,
                                          target=target, candidate=candidate, verdict=verdict, tried=index)
                    if verdict.status == "verified":
                        break
                assert last is not None
                verdicts[key] = last

    for target in targets:
        key = (target.file, target.qualname)
        if key in verdicts:
            results.append(verdicts[key])
        elif key in llm_notes:
            refused = tuple(Lineage(f"c{i}", origin, None, "parse", "refused", why)
                            for i, (origin, why) in enumerate(llm_first[key].refused, 1))
            results.append(FunctionResult(hot=target.hot, status="no-candidate", reason=llm_notes[key], target=target,
                                          lineage=refused))
        else:
            why = ("anti-patterns found but no fix is provably safe here: " + ", ".join(target.antipatterns)
                   if target.antipatterns else "no known anti-pattern in this function")
            results.append(FunctionResult(hot=target.hot, status="no-candidate", reason=why, target=target))
    results = with_precedents(results, root)
    order = {(h.file, h.qualname): i for i, h in enumerate(hot)}
    results.sort(key=lambda r: order.get((r.hot.file, r.hot.qualname), 0))
    return SuggestResult(root, workload, profile, tuple(results), llm_usage=llm_usage(llm))


def only_targets(root: Path, profiled: Sequence[HotFunction], only: Sequence[tuple[str, str]]) -> list[HotFunction]:
    """The named functions as targets, with their profile entry when the workload ran them
    (share 0 otherwise: they still need the workload to call them to be verified).

    Raises:
        SourceError: A file that cannot be read, or a function not found in it.
    """
    from eco.pysource import find_function, parse_functions

    by_key = {(f.file, f.qualname): f for f in profiled}
    picked: list[HotFunction] = []
    for file, qualname in only:
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise SourceError(f"{file}: not a path inside the repository")
        hot = by_key.get((file, qualname))
        if hot is None:
            fn = find_function(parse_functions(read_source(root, file).encode("utf-8")), qualname)
            if fn is None:
                raise SourceError(f"{file}: function {qualname} not found")
            hot = HotFunction(file=file, qualname=fn.qualname, line=fn.start_line, self_s=0.0, total_s=0.0,
                              share=0.0, calls=0)
        picked.append(hot)
    return picked


def llm_result(llm: LLMDrafter, target: Target, first: LLMDraft, verifier: Verifier, config: EcoConfig,
               context: tuple[list[Precedent], list[str]], progress: Progress) -> FunctionResult:
    """ECO's loop for one target (`eco.draft.llm.loop`): every sample verified, repairs,
    one refinement of the best, the most conservative fast pick, its self-review."""
    from eco.draft.llm.loop import LoopSettings, improve

    settings = LoopSettings(repairs=config.llm_repairs, refinements=config.llm_refinements,
                            tolerance=config.llm_pick_tolerance, review=config.llm_review)
    outcome = improve(llm, target, first, lambda c: verifier.verify(target.file, target.qualname, c.patch),
                      settings, precedents=context[0], findings=context[1], progress=progress)
    chosen = outcome.picked or outcome.last
    assert chosen is not None  # the first draft had candidates, so something was verified
    status: Status
    if outcome.picked is not None:
        status, reason = "verified", ""
    elif outcome.review_failure:
        status, reason = "rejected", outcome.review_failure
    else:
        status, reason = chosen.verdict.status, chosen.verdict.reason
    return FunctionResult(hot=target.hot, status=status, reason=reason, target=target, candidate=chosen.candidate,
                          verdict=chosen.verdict, tried=outcome.verified_count, lineage=tuple(outcome.lineage))


def llm_drafter(root: Path, config: EcoConfig) -> LLMDrafter | None:
    """The run's LLM drafter when ``config.drafter`` names one; None for the recipes.

    Raises:
        LLMError: No model named, no key, or the llm extra is missing.
    """
    if config.drafter == "recipes":
        return None
    from eco.draft.llm import Budget, LLMDrafter, LLMError, LLMSettings

    if not config.model:
        raise LLMError(f"--drafter {config.drafter} needs a model: --model NAME or [tool.eco] model")
    settings = LLMSettings(
        backend=config.drafter, model=config.model, base_url=config.base_url or None,
        samples=config.samples, temperature=config.temperature,
        strategy=config.prompt_strategy,  # type: ignore[arg-type]  # checked by load_config
        timeout=config.llm_timeout, max_calls=config.llm_max_calls, max_tokens=config.llm_max_tokens,
        stream=config.stream,
    )
    budget = Budget(max_calls=settings.max_calls, max_tokens=settings.max_tokens)
    return LLMDrafter.for_repository(root, settings, budget)


def llm_precedents(root: Path, target: Target, k: int = 4) -> list[Precedent]:
    """The index's top-``k`` precedents for an LLM prompt; empty (the prompt then shows the
    catalog's examples for the detected anti-patterns) when no index can be read."""
    from eco.index import open_index

    try:
        return list(open_index(root=root).query(target.source, k=k, boost=target.antipatterns))
    except EcoError:
        return []


def llm_usage(llm: LLMDrafter | None) -> dict[str, int] | None:
    """Calls and tokens the run's LLM drafter spent, for the result document."""
    budget = getattr(llm.backend, "budget", None) if llm is not None else None
    return budget.to_json() if budget is not None else None


def check_repository_syntax(root: Path, exclude: Sequence[str]) -> None:
    """Refuse, naming ``file:line``, when a tracked Python file (not excluded) does not parse."""
    import fnmatch

    from eco.pysource import check_syntax
    from eco.verify.worktree import git

    listed = git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.py"], root).stdout
    for rel in filter(None, listed.split("\0")):
        if any(fnmatch.fnmatch(rel, pattern) for pattern in exclude):
            continue
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue
        check_syntax(data, rel)


def capture_inputs(
    root: Path, workload: str, targets: Sequence[Target], state: Path, config: EcoConfig
) -> CaptureStore:
    """Run the workload again under the call-capturing tracer for ``targets``.

    Capture is a second run so that the tracer's overhead never distorts the profile.
    """
    db = state / "captures.sqlite"
    spec = state / "capture-spec.json"
    spec.write_text(json.dumps({
        "db": str(db),
        "max_calls": config.capture_calls,
        "max_call_bytes": 1 << 20,
        "max_total_bytes": 16 << 20,
        "targets": [
            {"path": str((root / t.file).resolve()), "line": t.hot.line, "name": t.qualname.split(".")[-1],
             "file": t.file, "qualname": t.qualname}
            for t in targets
        ],
    }), encoding="utf-8")
    profile_workload(root, workload, state / "capture.prof", timeout_s=config.timeout * 3, capture_spec=spec)
    if not db.exists():
        raise ProfileError(f"{db}: the capture run wrote no database")
    return CaptureStore(db)


def verify_patch(
    root: Path, config: EcoConfig, file: str, qualname: str, patch: str, progress: Progress = lambda _m: None
) -> Verdict:
    """`eco verify`: the cascade for one patch from anywhere (a person, a tool, an LLM)."""
    from eco.pysource import find_function, parse_functions
    from eco.verify.verifier import Verifier

    root = root.resolve()
    snapshot = take_snapshot(root)
    source = read_source(root, file)
    fn = find_function(parse_functions(source.encode("utf-8")), qualname)
    if fn is None:
        raise SourceError(f"{file}: function {qualname} not found")
    hot = HotFunction(file=file, qualname=fn.qualname, line=fn.start_line, self_s=0.0, total_s=0.0, share=0.0, calls=0)
    target = locate(hot, root)
    workload = config.workload or DEFAULT_WORKLOAD
    progress(f"capturing real calls of {qualname} from: {workload}")
    captures = capture_inputs(root, workload, [target], state_dir(root), config)
    with Verifier(snapshot, config, captures, progress) as verifier:
        verifier.check_baseline()
        return verifier.verify(file, fn.qualname, patch)


def with_precedents(results: list[FunctionResult], root: Path, k: int = 3) -> list[FunctionResult]:
    """Each located target's top-``k`` precedents from the index (``.eco/index``, else the
    shipped one). Retrieval is advisory: an index that cannot be read leaves them empty."""
    from eco.index import open_index

    try:
        index = open_index(root=root)
    except EcoError:
        return results
    return [replace(r, precedents=tuple(index.query(r.target.source, k=k, boost=r.target.antipatterns)))
            if r.target is not None else r for r in results]
