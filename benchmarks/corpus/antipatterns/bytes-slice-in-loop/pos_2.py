def chunks(payload: bytes, size: int) -> int:
    total = 0
    start = 0
    while start < len(payload):
        total += sum(payload[start:start + size])
        start += size
    return total
