import logging

log = logging.getLogger(__name__)


def process(items: list[str]) -> int:
    for item in items:
        log.debug("processing %s", item)
    return len(items)
