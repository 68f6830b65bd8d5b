"""A day of textkit's work on a synthetic corpus: what eco profiles.

No single function takes more than about a fifth of the time, so that several are
targets under eco's default max_share of 25%.
"""

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
    tokens = []
    for text in docs:
        words = tokenize(normalize(text))
        tokens.append(words)
        kept = content_words(text)
        # Read each document both ways: word order matters to the association graph.
        for sequence in (words, words[::-1]):
            counts = frequencies(kept)
            top_words(counts, 10)
            has_long_word(sequence, 3)
            graph = build_graph(sequence)
            reachable(graph, sequence[0])
    shared_vocabulary(tokens[0][:1200], tokens[1])
    compositions(17, 4)


if __name__ == "__main__":
    main()
