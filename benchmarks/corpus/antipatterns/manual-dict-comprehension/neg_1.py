def index_by_name(people: list[tuple[str, int]]) -> dict[str, int]:
    return {name: age for name, age in people}
