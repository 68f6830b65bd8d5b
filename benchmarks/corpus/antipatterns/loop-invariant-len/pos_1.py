def checksum(data: bytes) -> int:
    total = 0
    i = 0
    while i < len(data):
        total = (total * 31 + data[i]) % 65521
        i += 1
    return total
