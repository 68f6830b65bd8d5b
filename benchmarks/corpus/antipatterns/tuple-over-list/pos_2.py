def is_source(name: str) -> bool:
    suffixes = [".py", ".pyi", ".pyx"]
    return any(name.endswith(s) for s in suffixes)
