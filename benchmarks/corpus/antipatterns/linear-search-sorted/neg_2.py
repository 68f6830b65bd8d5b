def listing(values: list[int]) -> str:
    ordered = sorted(values)
    return ",".join(str(v) for v in ordered)
