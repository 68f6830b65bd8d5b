def index_by_name(people: list[tuple[str, int]]) -> dict[str, int]:
    by_name = {}
    for name, age in people:
        by_name[name] = age
    return by_name
