from collections import Counter, defaultdict


def groups(pairs: list[tuple[str, int]]) -> dict[str, list[int]]:
    grouped: defaultdict[str, list[int]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return dict(grouped)


def common(words: list[str]) -> list[str]:
    return [w for w, _ in Counter(words).most_common(3)]
