"""The LLM drafter: a `Target` in, checked and de-duplicated `Candidate` objects out.

One prompt per target, ``samples`` completions at ``temperature`` (ECO: 5 at 0.3), each
parsed and checked by `eco.draft.llm.parse`; a response is cached by model and prompt, so
a re-run costs no calls. Nothing that fails the checks becomes a candidate: refusals are
collected with their reasons instead. Every candidate and refusal carries its origin
("sample 2 of 5", "repair of c3 after: ...", "refinement of c1 ..."), for the lineage.

Chat backends get chat prompts; completion backends (base models, ``chat = False``) get
code to continue (`build_completion_prompt`), for drafting, repair, refinement and review.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eco.code.records import Target
from eco.draft.llm.backend import Backend, Budget, Completion, LLMError, Prompt
from eco.draft.llm.cache import ResponseCache, cache_key
from eco.draft.llm.parse import Edit, ast_key, parse_response
from eco.draft.llm.prompts import (
    PrecedentLike,
    Strategy,
    build_completion_prompt,
    build_prompt,
    catalog_precedents,
)
from eco.draft.recipes._edit import unified_patch
from eco.draft.records import Candidate

__all__ = ["BACKENDS", "LLMDraft", "LLMDrafter", "LLMSettings", "make_backend"]

REPAIR = """
Your earlier rewrite of this function was rejected by eco's verifier:

```python
{source}
```

Why it was rejected:
{reason}

Write a corrected version that keeps the speed-up but passes: same results, exceptions and
side effects as the original for every input. If the rejection says it was not faster,
find a change that is. Answer with the complete function in one ```python fenced block.
"""

SELF_REVIEW_SYSTEM = "You review performance patches strictly before a human sees them."

REVIEW = """\
Review this patch to `{qualname}` (anti-pattern addressed: {antipattern}). It passed the
tests, replay of recorded calls and a benchmark; answer the checklist anyway, one line each:

```diff
{patch}
```

1. Does it return the same values, in the same order, for every input (empty, one item,
   duplicates, None, unhashable items, very large inputs)?
2. Does it raise the same exceptions in the same cases?
3. Does it mutate arguments, globals or caches differently, or keep references longer?
4. Does it add a dependency, I/O, or behaviour that depends on the environment?
5. Is it the smallest change that gets the speed-up?

End with exactly one line: `VERDICT: PASS`, or `VERDICT: FAIL: <the reason>`.
"""

REFINE = """
This version of the function passed eco's verifier (its tests, a replay of recorded real
calls with equal results, and a benchmark) at {speedup:.2f}x the original's speed:

```python
{source}
```

Make it faster still without changing its behaviour in any way. If it cannot be made
faster safely, return it unchanged. Answer with the complete function in one ```python
fenced block.
"""

#: The review as text to continue, for completion models: they answer after "VERDICT:".
REVIEW_COMPLETION = """\
# Code review of a performance patch to `{qualname}` (anti-pattern: {antipattern}).
# Checklist: same values for every input; same exceptions; no different mutation of
# arguments or globals; no new dependency or I/O; the smallest change for the speed-up.
{patch}
# Reviewer's verdict (PASS, or FAIL: reason)
VERDICT:"""

#: Drafter names that are LLM backends.
BACKENDS = ("openai", "anthropic", "llama")


@dataclass(frozen=True)
class LLMSettings:
    """How the LLM drafter samples; every field has a `[tool.eco]` key."""

    #: ``openai`` (any OpenAI-compatible server), ``anthropic`` or ``llama`` (a local GGUF).
    backend: str
    #: The model's name; for ``llama`` a ``.gguf`` path or a package that carries one.
    model: str
    base_url: str | None = None
    samples: int = 5
    temperature: float = 0.3
    strategy: Strategy = "few-shot"
    #: Most output tokens per sample.
    max_output_tokens: int = 2048
    #: Seconds per request.
    timeout: float = 120.0
    #: The run's budget: most requests, most tokens (input plus output).
    max_calls: int = 50
    max_tokens: int = 400_000
    #: Stream responses (server-sent events) instead of waiting for the whole answer.
    stream: bool = False


@dataclass
class LLMDraft:
    """What drafting one target produced."""

    candidates: list[Candidate] = field(default_factory=list)
    #: Where each candidate came from, parallel to ``candidates`` ("sample 2 of 5", ...).
    origins: list[str] = field(default_factory=list)
    #: One reason per response that produced no candidate (duplicates included).
    refusals: list[str] = field(default_factory=list)
    #: ``(origin, reason)`` for each refused response, for the lineage.
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: Every response in the order the model gave them: ``(origin, candidate, "")`` or
    #: ``(origin, None, why it was refused)``.
    proposals: list[tuple[str, Candidate | None, str]] = field(default_factory=list)
    #: Set when the service failed: no candidates, and why.
    error: str | None = None


def make_backend(
    settings: LLMSettings, budget: Budget, environ: Mapping[str, str] | None = None
) -> Backend:
    """The backend ``settings.backend`` names.

    Raises:
        LLMError: Unknown backend, missing key or model, or the extra is not installed.
    """
    env = os.environ if environ is None else environ
    if settings.backend in ("openai", "anthropic"):
        from eco.draft.llm.anthropic import AnthropicBackend
        from eco.draft.llm.openai import OpenAIBackend

        service = OpenAIBackend if settings.backend == "openai" else AnthropicBackend
        return service(
            settings.model,
            budget,
            base_url=settings.base_url,
            timeout=settings.timeout,
            stream=settings.stream,
            environ=env,
        )
    if settings.backend == "llama":
        from eco.draft.llm.llama import LlamaBackend

        return LlamaBackend(settings.model, budget, timeout=settings.timeout)
    raise LLMError(f"unknown LLM drafter {settings.backend!r} (known: {', '.join(BACKENDS)})")


class LLMDrafter:
    """Drafts candidates for targets with one backend, a cache and the settings."""

    def __init__(
        self, backend: Backend, settings: LLMSettings, cache: ResponseCache | None = None
    ) -> None:
        self.backend = backend
        self.settings = settings
        self.cache = cache

    @classmethod
    def for_repository(
        cls,
        root: Path,
        settings: LLMSettings,
        budget: Budget,
        environ: Mapping[str, str] | None = None,
    ) -> LLMDrafter:
        """A drafter whose cache lives in ``root/.eco/llm-cache``."""
        return cls(
            make_backend(settings, budget, environ),
            settings,
            ResponseCache(root / ".eco" / "llm-cache"),
        )

    @property
    def chat(self) -> bool:
        """False for completion backends (base models), which get code to continue."""
        return bool(getattr(self.backend, "chat", True))

    def draft(
        self, target: Target, precedents: Sequence[PrecedentLike] = (), findings: Sequence[str] = ()
    ) -> LLMDraft:
        """Candidates for ``target``, checked and de-duplicated; never raises for service errors."""
        n = self.settings.samples
        return self._ask(
            target,
            self._prompt(target, precedents, findings),
            n,
            lambda i: f"sample {i} of {n}",
        )

    def repair(
        self,
        target: Target,
        rejected: Candidate,
        reason: str,
        precedents: Sequence[PrecedentLike] = (),
        findings: Sequence[str] = (),
        tried: Sequence[Candidate] = (),
        parent: str = "",
    ) -> LLMDraft:
        """New candidates from the model, shown its ``rejected`` rewrite and the verifier's ``reason``.

        Candidates the run already tried (``tried``) are dropped as duplicates. ``parent``
        names the rejected candidate in the new ones' origin.
        """
        if self.chat:
            base = self._prompt(target, precedents, findings)
            prompt = Prompt(
                base.system,
                base.user
                + REPAIR.format(source=rejected.new_source.rstrip(), reason=reason.strip()[:4000]),
            )
        else:
            first = reason.strip().splitlines()[0] if reason.strip() else "rejected"
            prompt = build_completion_prompt(
                target,
                precedents=self._shown(target, precedents),
                note=f"An earlier faster version was rejected: {first[:200]}",
            )
        samples = min(2, self.settings.samples)
        short = " ".join(reason.split())[:120]
        return self._ask(
            target,
            prompt,
            samples,
            lambda i: f"repair of {parent or 'a rejected candidate'} after: {short} "
            f"(sample {i} of {samples})",
            seen=[c.new_file_source for c in (*tried, rejected)],
        )

    def refine(
        self,
        target: Target,
        verified: Candidate,
        speedup: float,
        precedents: Sequence[PrecedentLike] = (),
        findings: Sequence[str] = (),
        tried: Sequence[Candidate] = (),
        parent: str = "",
    ) -> LLMDraft:
        """One more round for a verified candidate: "verified at 1.4x; make it faster
        without changing behaviour". The answers are new candidates, verified like any other."""
        if self.chat:
            base = self._prompt(target, precedents, findings)
            prompt = Prompt(
                base.system,
                base.user + REFINE.format(source=verified.new_source.rstrip(), speedup=speedup),
            )
        else:
            prompt = build_completion_prompt(
                target, precedents=self._shown(target, precedents), before=verified.new_source
            )
        return self._ask(
            target,
            prompt,
            1,
            lambda _i: f"refinement of {parent or 'a verified candidate'} (verified at {speedup:.2f}x)",
            seen=[c.new_file_source for c in (*tried, verified)],
        )

    def review(self, target: Target, candidate: Candidate) -> tuple[bool, str]:
        """ECO's self-review: the model answers a checklist about its own verified patch.

        Returns ``(passed, why)``. Only an explicit ``VERDICT: PASS`` passes; a failure, an
        unclear answer or a service error blocks the candidate.
        """
        fields = {
            "qualname": target.qualname,
            "patch": candidate.patch.rstrip(),
            "antipattern": candidate.antipattern or "none detected",
        }
        if self.chat:
            prompt = Prompt(SELF_REVIEW_SYSTEM, REVIEW.format(**fields))
            prefix = ""
        else:
            fields["patch"] = "\n".join("# " + line for line in candidate.patch.rstrip().splitlines())
            prompt = Prompt("", REVIEW_COMPLETION.format(**fields), stop=("\n",))
            prefix = "VERDICT:"
        try:
            completion = self._complete(prompt, 1, 0.0)
        except LLMError as exc:
            return False, f"self-review could not run: {exc}"
        answer = prefix + completion.texts[0] if completion.texts else ""
        verdicts = [
            line.strip()
            for line in answer.splitlines()
            if line.strip().upper().startswith("VERDICT:")
        ]
        if not verdicts:
            return False, "self-review gave no verdict"
        verdict = verdicts[-1][len("VERDICT:") :].strip()
        if verdict.upper() == "PASS":
            return True, ""
        return False, "self-review failed: " + (verdict.split(":", 1)[-1].strip() or verdict)[:300]

    def _shown(self, target: Target, precedents: Sequence[PrecedentLike]) -> list[PrecedentLike]:
        return [*precedents] or [*catalog_precedents(target.antipatterns)]

    def _prompt(
        self, target: Target, precedents: Sequence[PrecedentLike], findings: Sequence[str]
    ) -> Prompt:
        shown = self._shown(target, precedents)
        if not self.chat:
            return build_completion_prompt(target, precedents=shown)
        return build_prompt(
            target, strategy=self.settings.strategy, precedents=shown, findings=findings
        )

    def _complete(self, prompt: Prompt, samples: int, temperature: float) -> Completion:
        """The backend's answer, from the cache when this exact request was answered before.

        Raises:
            LLMError: The service failed or the budget is spent.
        """
        s = self.settings
        key = cache_key(
            self.backend.name, self.backend.model, prompt, samples, temperature, s.max_output_tokens
        )
        completion = self.cache.get(key) if self.cache else None
        if completion is not None:
            budget = getattr(self.backend, "budget", None)
            if isinstance(budget, Budget):
                budget.cache_hits += 1
            return completion
        completion = self.backend.complete(prompt, samples, temperature, s.max_output_tokens)
        if self.cache is not None and completion.texts:
            self.cache.put(key, self.backend.model, completion)
        return completion

    def _ask(
        self,
        target: Target,
        prompt: Prompt,
        samples: int,
        origin: Callable[[int], str],
        seen: Sequence[str] = (),
    ) -> LLMDraft:
        try:
            completion = self._complete(prompt, samples, self.settings.temperature)
        except LLMError as exc:
            return LLMDraft(error=str(exc))
        return self._candidates(target, completion, origin, seen)

    def _candidates(
        self,
        target: Target,
        completion: Completion,
        origin: Callable[[int], str],
        tried: Sequence[str] = (),
    ) -> LLMDraft:
        out = LLMDraft()
        seen = {ast_key(target.file_source), *(ast_key(text) for text in tried)}
        for index, text in enumerate(completion.texts, 1):
            where = origin(index)
            edit = parse_response(text, target)
            if not isinstance(edit, Edit):
                out.refusals.append(f"sample {index}: {edit.reason}")
                out.refused.append((where, edit.reason))
                out.proposals.append((where, None, edit.reason))
                continue
            identity = ast_key(edit.new_file_source)
            if identity in seen:
                out.refusals.append(f"sample {index}: duplicate of an earlier candidate")
                out.refused.append((where, "duplicate of an earlier candidate"))
                out.proposals.append((where, None, "duplicate of an earlier candidate"))
                continue
            seen.add(identity)
            out.origins.append(where)
            candidate = Candidate(
                target=target,
                new_source=edit.new_source,
                new_file_source=edit.new_file_source,
                patch=unified_patch(target.file_source, edit.new_file_source, target.file),
                drafter=self.backend.name,
                antipattern=target.antipatterns[0] if target.antipatterns else None,
                rationale=f"Rewritten by {self.backend.model} "
                f"({self.settings.strategy if self.chat else 'code completion'}; {where}; "
                f"answered as a {edit.shape}).",
            )
            out.candidates.append(candidate)
            out.proposals.append((where, candidate, ""))
        return out
