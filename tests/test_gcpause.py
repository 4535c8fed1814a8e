"""The reader's collector pause: what it builds is moved to the oldest generation, cycles still get collected."""

from __future__ import annotations

import gc
import weakref

from xlplan.gcpause import paused_gc


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_objects_built_while_paused_go_to_the_oldest_generation_and_the_collector_resumes():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        kept = [Node() for _ in range(10)]
    assert gc.isenabled()
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in kept)
    assert gc.get_freeze_count() == 0


def test_a_cycle_made_while_paused_is_still_collected():
    with paused_gc():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    assert gone() is not None   # a cycle: only the collector frees it
    gc.collect()
    assert gone() is None


def test_a_pause_inside_a_pause_leaves_the_collector_off_and_what_the_host_froze_stays_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            with paused_gc():
                pass
            assert not gc.isenabled()
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
