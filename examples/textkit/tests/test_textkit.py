from textkit.graph import build_graph, compositions, reachable
from textkit.stats import frequencies, has_long_word, shared_vocabulary, top_words
from textkit.tokens import content_words, normalize, tokenize


def test_tokenize_strips_punctuation_and_case():
    assert tokenize("Hello, World! (again)") == ["hello", "world", "again"]
    assert tokenize("... ,,, ") == []


def test_content_words_drops_stop_words():
    assert content_words("The cat and the hat") == ["cat", "hat"]


def test_normalize():
    assert normalize("  a \n b\t c ") == "a b c"


def test_frequencies_keep_first_appearance_order():
    counts = frequencies(["b", "a", "b", "c", "b"])
    assert counts == {"b": 3, "a": 1, "c": 1}
    assert list(counts) == ["b", "a", "c"]


def test_shared_vocabulary_keeps_repeats_and_order():
    assert shared_vocabulary(["x", "y", "x", "z"], ["z", "x"]) == ["x", "x", "z"]


def test_has_long_word():
    assert has_long_word(["tiny", "enormous"], 5)
    assert not has_long_word(["tiny"], 5)
    assert not has_long_word([], 5)


def test_top_words_breaks_ties_by_word():
    assert top_words({"b": 2, "a": 2, "c": 5}, 2) == [("c", 5), ("a", 2)]


def test_graph_and_reachability():
    graph = build_graph(["a", "b", "a", "c", "b", "a"])
    assert graph == {"a": ["b", "c"], "b": ["a"], "c": ["b"]}
    assert reachable(graph, "a") == ["a", "b", "c"]
    assert reachable({}, "q") == ["q"]


def test_compositions():
    assert compositions(0, 3) == 1
    assert compositions(4, 2) == 5
    assert compositions(5, 5) == 16
