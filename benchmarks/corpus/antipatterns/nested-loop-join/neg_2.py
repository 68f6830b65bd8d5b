def find(grid: list[list[int]], target: int) -> int:
    hits = 0
    for row in grid:
        for cell in row:
            if cell == target:
                hits += 1
    return hits
