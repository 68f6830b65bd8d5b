import logging

logger = logging.getLogger("io")


def frames(blob: bytes) -> int:
    n = 0
    for offset in range(0, 64, 8):
        frame = blob[offset:offset + 8]
        logger.info("frame {}".format(frame))
        n += 1
    return n
