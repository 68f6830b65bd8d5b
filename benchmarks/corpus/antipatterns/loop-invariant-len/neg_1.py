def checksum(data: bytes) -> int:
    total = 0
    i = 0
    size = len(data)
    while i < size:
        total = (total * 31 + data[i]) % 65521
        i += 1
    return total
