def adjusted(config: dict[str, float], values: list[float]) -> list[float]:
    return [v * config["gain"] + config["gain"] / 2 for v in values]
