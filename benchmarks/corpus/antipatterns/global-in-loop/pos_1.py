SETTINGS = {"scale": 3, "offset": 1}


def scaled(values: list[int]) -> list[int]:
    return [v * SETTINGS["scale"] for v in values]
