SETTINGS = {"scale": 3, "offset": 1}


def scaled(values: list[int]) -> list[int]:
    scale = SETTINGS["scale"]
    return [v * scale for v in values]
