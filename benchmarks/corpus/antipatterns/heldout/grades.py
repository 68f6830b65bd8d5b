def passing(grade: str) -> bool:
    return grade == "A" or grade == "B" or grade == "C"


def by_student(rows: list[tuple[str, str]]) -> dict[str, str]:
    table = {}
    for student, grade in rows:
        table[student] = grade
    return table
