"""list-pop-front: a local list drained with pop(0) becomes a deque."""

from __future__ import annotations

import pytest
from _draft_helpers import assert_rewrites, assert_unchanged

ID = "list-pop-front"


def test_queue_becomes_deque_and_import_goes_after_existing_imports() -> None:
    assert_rewrites(
        """
        \"\"\"Graphs.\"\"\"

        import os
        from typing import Any

        X = 1


        def bfs(graph: dict[int, list[int]], start: int) -> list[int]:
            order = []
            queue = [start]
            while queue:
                node = queue.pop(0)
                order.append(node)
                if len(queue) < 100 and not (queue and False):
                    queue.extend(graph.get(node, []))
            return order
        """,
        """
        \"\"\"Graphs.\"\"\"

        import os
        from typing import Any
        from collections import deque

        X = 1


        def bfs(graph: dict[int, list[int]], start: int) -> list[int]:
            order = []
            queue = deque([start])
            while queue:
                node = queue.popleft()
                order.append(node)
                if len(queue) < 100 and not (queue and False):
                    queue.extend(graph.get(node, []))
            return order
        """,
        ID,
    )


def test_existing_import_collections_is_reused() -> None:
    assert_rewrites(
        """
        import collections


        def drain(items: list[int]) -> int:
            q = list(items)
            total = 0
            while q:
                total += q.pop(0)
            return total
        """,
        """
        import collections


        def drain(items: list[int]) -> int:
            q = collections.deque(items)
            total = 0
            while q:
                total += q.popleft()
            return total
        """,
        ID,
    )


def test_existing_from_import_and_empty_queue() -> None:
    assert_rewrites(
        """
        from collections import deque


        def drain(items: list[int]) -> int:
            q = []
            q.extend(items)
            total = 0
            while len(q) > 0:
                total += q.pop(0)
                if total > 10:
                    q.pop()
            return total
        """,
        """
        from collections import deque


        def drain(items: list[int]) -> int:
            q = deque()
            q.extend(items)
            total = 0
            while len(q) > 0:
                total += q.popleft()
                if total > 10:
                    q.pop()
            return total
        """,
        ID,
    )


def test_module_without_imports_gets_one_after_its_docstring() -> None:
    assert_rewrites(
        """
        \"\"\"Doc.\"\"\"
        def drain(items: list[int]) -> int:
            q = [*items]
            n = 0
            while q:
                n += q.pop(0)
            return n
        """,
        """
        \"\"\"Doc.\"\"\"

        from collections import deque


        def drain(items: list[int]) -> int:
            q = deque([*items])
            n = 0
            while q:
                n += q.popleft()
            return n
        """,
        ID,
    )


@pytest.mark.parametrize(
    "code",
    [
        # returned: the caller would get a deque
        """
        def f(items: list[int]) -> list[int]:
            q = list(items)
            while len(q) > 3:
                q.pop(0)
            return q
        """,
        # passed to something
        """
        def f(items: list[int]) -> int:
            q = list(items)
            n = 0
            while q:
                n += q.pop(0)
                print(q)
            return n
        """,
        # indexed
        """
        def f(items: list[int]) -> int:
            q = list(items)
            n = 0
            while q:
                n += q[0] + q.pop(0)
            return n
        """,
        # sliced
        """
        def f(items: list[int]) -> list[int]:
            q = list(items)
            out = []
            while q:
                q.pop(0)
                out = q[:2]
            return out
        """,
        # iterated
        """
        def f(items: list[int]) -> int:
            q = list(items)
            n = 0
            while q:
                n += q.pop(0) + sum(x for x in q)
            return n
        """,
        # a parameter, not a local
        """
        def f(q: list[int]) -> int:
            n = 0
            while q:
                n += q.pop(0)
            return n
        """,
        # assigned twice
        """
        def f(items: list[int]) -> int:
            q = []
            q = list(items)
            n = 0
            while q:
                n += q.pop(0)
            return n
        """,
        # captured by a nested function
        """
        def f(items: list[int]) -> int:
            q = list(items)
            push = lambda x: q.append(x)
            n = 0
            while q:
                n += q.pop(0)
            return n
        """,
        # compared with ==, which a deque answers differently
        """
        def f(items: list[int]) -> int:
            q = list(items)
            n = 0
            while q != []:
                n += q.pop(0)
            return n
        """,
        # `deque` already means something else
        """
        deque = list


        def f(items: list[int]) -> int:
            q = list(items)
            n = 0
            while q:
                n += q.pop(0)
            return n
        """,
        # pop(1) is not a queue
        """
        def f(items: list[int]) -> int:
            q = list(items)
            n = 0
            while len(q) > 1:
                n += q.pop(1)
            return n
        """,
        # `q or default` escapes the truth test
        """
        def f(items: list[int]) -> object:
            q = list(items)
            while q:
                q.pop(0)
            return q or None
        """,
    ],
)
def test_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, ID)


FRONT = "list-insert-front"


def test_insert_front_becomes_appendleft() -> None:
    assert_rewrites(
        """
        import collections


        def undo(actions: list[str]) -> str:
            stack = []
            for action in actions:
                stack.insert(0, action)
                if len(stack) > 10:
                    stack.pop()
            last = ""
            while stack:
                last = stack.pop()
            return last
        """,
        """
        import collections


        def undo(actions: list[str]) -> str:
            stack = collections.deque()
            for action in actions:
                stack.appendleft(action)
                if len(stack) > 10:
                    stack.pop()
            last = ""
            while stack:
                last = stack.pop()
            return last
        """,
        FRONT,
    )


def test_pop_front_fix_also_converts_insert_front() -> None:
    assert_rewrites(
        """
        from collections import deque


        def rotate(items: list[int], rounds: int) -> int:
            ring = list(items)
            for _ in range(rounds):
                if ring:
                    ring.insert(0, ring.pop(0) + 1)
            n = 0
            while ring:
                n += ring.pop()
            return n
        """,
        """
        from collections import deque


        def rotate(items: list[int], rounds: int) -> int:
            ring = deque(items)
            for _ in range(rounds):
                if ring:
                    ring.appendleft(ring.popleft() + 1)
            n = 0
            while ring:
                n += ring.pop()
            return n
        """,
        ID,
    )
    # ... and the same list is not reported twice
    assert_unchanged(
        """
        def rotate(items: list[int]) -> int:
            ring = list(items)
            for _ in range(3):
                ring.insert(0, ring.pop(0))
            return len(ring)
        """,
        FRONT,
    )


@pytest.mark.parametrize(
    "code",
    [
        # returned: the caller would get a deque
        """
        def f(items: list[int]) -> list[int]:
            out = []
            for x in items:
                out.insert(0, x)
            return out
        """,
        # insert elsewhere than the front
        """
        def f(items: list[int]) -> int:
            out = []
            for x in items:
                out.insert(1, x)
            return len(out)
        """,
        # iterated
        """
        def f(items: list[int]) -> int:
            out = []
            for x in items:
                out.insert(0, x)
            return sum(out)
        """,
        # indexed
        """
        def f(items: list[int]) -> int:
            out = [0]
            for x in items:
                out.insert(0, x)
            return out[0]
        """,
    ],
)
def test_insert_front_look_alikes_are_left_alone(code: str) -> None:
    assert_unchanged(code, FRONT)
