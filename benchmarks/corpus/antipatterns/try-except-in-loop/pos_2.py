def read_all(paths: list[str]) -> int:
    size = 0
    i = 0
    while i < len(paths):
        try:
            with open(paths[i]) as handle:
                size += len(handle.read())
        except OSError:
            size -= 1
        i += 1
    return size
