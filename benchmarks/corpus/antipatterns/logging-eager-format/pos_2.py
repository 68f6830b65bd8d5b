import logging


def report(count: int) -> None:
    logging.info("processed %d items" % count)
