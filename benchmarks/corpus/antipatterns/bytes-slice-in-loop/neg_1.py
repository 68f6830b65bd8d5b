def words(data: bytes) -> list[int]:
    view = memoryview(data)
    return [int.from_bytes(view[i:i + 4], "little") for i in range(0, len(view), 4)]
