def fit(widths: list[int], settings: object) -> int:
    count = 0
    for width in widths:
        if width <= settings.display.width:
            count += 1
    return count
