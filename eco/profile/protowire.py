"""The protobuf wire format, as much of it as pprof's profile.proto needs.

A message is a sequence of fields, each a varint key ``field_number << 3 | wire_type``
followed by a varint (type 0), 8 bytes (type 1), a length-delimited byte run (type 2:
strings, sub-messages, packed repeated scalars) or 4 bytes (type 5). Groups (types 3 and
4) are long deprecated and refused. Anything that runs past the end raises `WireError`.
"""

from __future__ import annotations

from collections.abc import Iterator


class WireError(ValueError):
    """Raised when bytes are not a well-formed protobuf message."""


def varint(buf: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise WireError(f"truncated varint at byte {pos}")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise WireError(f"varint longer than 10 bytes at byte {pos}")


def fields(buf: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, int, int]]:
    """``(field number, wire type, value or start, end)`` for each field of a message.

    For a varint the value is in the third slot; for fixed-width and length-delimited
    fields the third and fourth slots are the byte range ``buf[start:end]``.
    """
    pos = start
    stop = len(buf) if end is None else end
    while pos < stop:
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError(f"field number 0 at byte {pos}")
        if wire == 0:
            value, pos = varint(buf, pos)
            yield number, 0, value, pos
        elif wire == 2:
            length, pos = varint(buf, pos)
            if pos + length > stop:
                raise WireError(f"field {number} runs past the end (byte {pos} + {length})")
            yield number, 2, pos, pos + length
            pos += length
        elif wire == 1 or wire == 5:
            width = 8 if wire == 1 else 4
            if pos + width > stop:
                raise WireError(f"field {number} runs past the end (byte {pos})")
            yield number, wire, pos, pos + width
            pos += width
        else:
            raise WireError(f"unsupported wire type {wire} at byte {pos}")


def packed(buf: bytes, start: int, end: int) -> list[int]:
    """The varints of a packed repeated field."""
    out: list[int] = []
    pos = start
    append = out.append
    while pos < end:
        byte = buf[pos]
        if byte < 0x80:  # the common one-byte case, inline
            append(byte)
            pos += 1
        else:
            value, pos = varint(buf, pos)
            append(value)
    if pos != end:
        raise WireError(f"packed field overruns its length at byte {pos}")
    return out


def signed(value: int) -> int:
    """An ``int64`` read as an unsigned varint, back to its sign."""
    return value - (1 << 64) if value >= 1 << 63 else value
