def joined(head: list[int], tail: list[int]) -> list[int]:
    return head + tail
