def relative(values: list[float], reference: list[float]) -> list[float]:
    return [v / max(reference) for v in values]


def allowed(names: list[str], whitelist: set[str]) -> list[str]:
    return [n for n in names if n in sorted(whitelist)]
