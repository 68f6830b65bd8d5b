def header(data: bytes) -> bytes:
    return data[:16]
