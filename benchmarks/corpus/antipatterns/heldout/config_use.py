OPTIONS = {"threshold": 0.5}


class Scorer:
    def keep(self, scores: list[float]) -> list[float]:
        return [s for s in scores if s > self.settings.cutoff]


def above(scores: list[float]) -> int:
    return sum(1 for s in scores if s > OPTIONS["threshold"])
