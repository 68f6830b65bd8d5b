def scale(matrix: list[list[float]], factor: float) -> list[list[float]]:
    return [[cell * factor for cell in row] for row in matrix]
