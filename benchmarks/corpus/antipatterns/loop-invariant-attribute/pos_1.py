class Filter:
    def keep(self, values: list[int]) -> list[int]:
        return [value for value in values if value < self.config.limit]
