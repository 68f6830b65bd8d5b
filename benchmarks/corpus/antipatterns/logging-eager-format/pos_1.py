import logging

log = logging.getLogger(__name__)


def process(items: list[str]) -> int:
    for item in items:
        log.debug(f"processing {item}")
    return len(items)
