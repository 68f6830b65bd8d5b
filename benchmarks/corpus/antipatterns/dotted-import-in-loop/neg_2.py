import os


def config_path(root: str) -> str:
    return os.path.join(root, "config.toml")
