"""A day of textkit's work on a synthetic corpus: what eco profiles."""

import random

from textkit.graph import build_graph, compositions, reachable
from textkit.stats import frequencies, has_long_word, shared_vocabulary, top_words
from textkit.tokens import content_words, normalize, tokenize

VOCABULARY = [f"w{i}" for i in range(6000)] + ["the", "and", "of", "to", "a", "in", "is"]


def document(rng: random.Random, size: int) -> str:
    words = [rng.choice(VOCABULARY) for _ in range(size)]
    return "  ".join(words).replace("w1 ", "w1, ")


def main() -> None:
    rng = random.Random(7)
    docs = [document(rng, 4000) for _ in range(6)]
    for text in docs:
        words = tokenize(normalize(text))
        kept = content_words(text)
        counts = frequencies(kept)
        top_words(counts, 10)
        has_long_word(words, 3)
        graph = build_graph(words)
        reachable(graph, words[0])
    shared_vocabulary(tokenize(docs[0])[:1500], tokenize(docs[1]))
    compositions(18, 4)


if __name__ == "__main__":
    main()
