class Filter:
    def keep(self, values: list[int]) -> list[int]:
        limit = self.config.limit
        return [value for value in values if value < limit]
