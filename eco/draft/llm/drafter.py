"""The LLM drafter: a `Target` in, checked and de-duplicated `Candidate` objects out.

One prompt per target, ``samples`` completions at ``temperature`` (ECO: 5 at 0.3), each
parsed and checked by `eco.draft.llm.parse`; a response is cached by model and prompt, so
a re-run costs no calls. Nothing that fails the checks becomes a candidate: refusals are
collected with their reasons instead.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from eco.code.records import Target
from eco.draft.llm.backend import Backend, Budget, Completion, LLMError, Prompt
from eco.draft.llm.cache import ResponseCache, cache_key
from eco.draft.llm.parse import Edit, ast_key, parse_response
from eco.draft.llm.prompts import PrecedentLike, Strategy, build_prompt, catalog_precedents
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

#: Drafter names that are LLM backends.
BACKENDS = ("openai", "anthropic")


@dataclass(frozen=True)
class LLMSettings:
    """How the LLM drafter samples; every field has a `[tool.eco]` key."""

    #: ``openai`` (any OpenAI-compatible server) or ``anthropic``.
    backend: str
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


@dataclass
class LLMDraft:
    """What drafting one target produced."""

    candidates: list[Candidate] = field(default_factory=list)
    #: One reason per response that produced no candidate (duplicates included).
    refusals: list[str] = field(default_factory=list)
    #: Set when the service failed: no candidates, and why.
    error: str | None = None


def make_backend(
    settings: LLMSettings, budget: Budget, environ: Mapping[str, str] | None = None
) -> Backend:
    """The backend ``settings.backend`` names.

    Raises:
        LLMError: Unknown backend, missing key, or the llm extra is not installed.
    """
    env = os.environ if environ is None else environ
    if settings.backend == "openai":
        from eco.draft.llm.openai import OpenAIBackend

        return OpenAIBackend(
            settings.model,
            budget,
            base_url=settings.base_url,
            timeout=settings.timeout,
            environ=env,
        )
    if settings.backend == "anthropic":
        from eco.draft.llm.anthropic import AnthropicBackend

        return AnthropicBackend(
            settings.model,
            budget,
            base_url=settings.base_url,
            timeout=settings.timeout,
            environ=env,
        )
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

    def draft(
        self, target: Target, precedents: Sequence[PrecedentLike] = (), findings: Sequence[str] = ()
    ) -> LLMDraft:
        """Candidates for ``target``, checked and de-duplicated; never raises for service errors."""
        return self._ask(
            target, self._prompt(target, precedents, findings), self.settings.samples, ""
        )

    def repair(
        self,
        target: Target,
        rejected: Candidate,
        reason: str,
        precedents: Sequence[PrecedentLike] = (),
        findings: Sequence[str] = (),
        tried: Sequence[Candidate] = (),
    ) -> LLMDraft:
        """New candidates from the model, shown its ``rejected`` rewrite and the verifier's ``reason``.

        Candidates the run already tried (``tried``) are dropped as duplicates.
        """
        base = self._prompt(target, precedents, findings)
        user = base.user + REPAIR.format(
            source=rejected.new_source.rstrip(), reason=reason.strip()[:4000]
        )
        samples = min(2, self.settings.samples)
        return self._ask(
            target,
            Prompt(base.system, user),
            samples,
            f"repair of: {rejected.rationale} ",
            seen=[c.new_file_source for c in (*tried, rejected)],
        )

    def review(self, target: Target, candidate: Candidate) -> tuple[bool, str]:
        """ECO's self-review: the model answers a checklist about its own verified patch.

        Returns ``(passed, why)``. Only an explicit ``VERDICT: PASS`` passes; a failure, an
        unclear answer or a service error blocks the candidate.
        """
        user = REVIEW.format(
            qualname=target.qualname,
            patch=candidate.patch.rstrip(),
            antipattern=candidate.antipattern or "none detected",
        )
        prompt = Prompt(SELF_REVIEW_SYSTEM, user)
        s = self.settings
        key = cache_key(self.backend.name, self.backend.model, prompt, 1, 0.0, s.max_output_tokens)
        completion = self.cache.get(key) if self.cache else None
        if completion is None:
            try:
                completion = self.backend.complete(prompt, 1, 0.0, s.max_output_tokens)
            except LLMError as exc:
                return False, f"self-review could not run: {exc}"
            if self.cache is not None and completion.texts:
                self.cache.put(key, self.backend.model, completion)
        answer = completion.texts[0] if completion.texts else ""
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

    def _prompt(
        self, target: Target, precedents: Sequence[PrecedentLike], findings: Sequence[str]
    ) -> Prompt:
        shown: list[PrecedentLike] = [*precedents] or [*catalog_precedents(target.antipatterns)]
        return build_prompt(
            target, strategy=self.settings.strategy, precedents=shown, findings=findings
        )

    def _ask(
        self, target: Target, prompt: Prompt, samples: int, lineage: str, seen: Sequence[str] = ()
    ) -> LLMDraft:
        s = self.settings
        key = cache_key(
            self.backend.name,
            self.backend.model,
            prompt,
            samples,
            s.temperature,
            s.max_output_tokens,
        )
        completion = self.cache.get(key) if self.cache else None
        budget = getattr(self.backend, "budget", None)
        if completion is not None:
            if isinstance(budget, Budget):
                budget.cache_hits += 1
        else:
            try:
                completion = self.backend.complete(
                    prompt, samples, s.temperature, s.max_output_tokens
                )
            except LLMError as exc:
                return LLMDraft(error=str(exc))
            if self.cache is not None and completion.texts:
                self.cache.put(key, self.backend.model, completion)
        return self._candidates(target, completion, lineage, seen)

    def _candidates(
        self, target: Target, completion: Completion, lineage: str = "", tried: Sequence[str] = ()
    ) -> LLMDraft:
        out = LLMDraft()
        seen = {ast_key(target.file_source), *(ast_key(text) for text in tried)}
        n = len(completion.texts)
        for index, text in enumerate(completion.texts, 1):
            edit = parse_response(text, target)
            if not isinstance(edit, Edit):
                out.refusals.append(f"sample {index}: {edit.reason}")
                continue
            identity = ast_key(edit.new_file_source)
            if identity in seen:
                out.refusals.append(f"sample {index}: duplicate of an earlier candidate")
                continue
            seen.add(identity)
            out.candidates.append(
                Candidate(
                    target=target,
                    new_source=edit.new_source,
                    new_file_source=edit.new_file_source,
                    patch=unified_patch(target.file_source, edit.new_file_source, target.file),
                    drafter=self.backend.name,
                    antipattern=target.antipatterns[0] if target.antipatterns else None,
                    rationale=f"{lineage}Rewritten by {self.backend.model} ({self.settings.strategy}, "
                    f"sample {index} of {n}, answered as a {edit.shape}).",
                )
            )
        return out
