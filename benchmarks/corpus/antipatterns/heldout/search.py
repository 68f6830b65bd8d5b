def present(items: list[int], probes: list[int]) -> int:
    ranked = sorted(items)
    return sum(1 for p in probes if p in ranked)


def link(parents: list[tuple[int, str]], children: list[tuple[int, str]]) -> list[str]:
    return [c + "<" + p for pid, p in parents for cid, c in children if pid == cid]
