"""Pause the cyclic garbage collector while a workbook becomes a plan.

Reading builds hundreds of thousands of small objects that all stay alive; the
collector's generation-2 passes over them made reading grow faster than the plan
(slope 1.31 per doubling from 5,000 to 10,000 measures, linear with it off). They
are not cyclic garbage, so nothing is lost by collecting once afterwards.

Re-enabling alone would only postpone the cost: the objects made during the pause count as young, so the
next allocations would trigger collections that traverse them all (a quarter of validate's time at 5,000
measures). gc.freeze() + gc.unfreeze() moves every tracked object to the oldest generation without
traversing it: they are looked at again at the next full collection, which finds any cycle among them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if not gc.get_freeze_count():   # never thaw what the host process froze on purpose
                gc.freeze()                 # survivors to the oldest generation, untraversed (see above)
                gc.unfreeze()
            gc.enable()
