"""Counts of people as the graph views weigh them: a float, or a clear error.

The shapes bound every count to 0..1,000,000 (``sh:maxInclusive``), and the loader refuses
an integer past 64 bits with its file and line; but ``stats`` and the exports read the
data through an engine, which may hold such a count all the same (the project was not
validated). Python cannot make a float of an integer of more than 308 digits
(``OverflowError``), so such a count ends the command with exit 2 and a message saying
what to run, never a traceback.
"""

from __future__ import annotations

from swapgraph.errors import CountTooLarge

__all__ = ["weight"]


def weight(count: int, where: str = "") -> float:
    """Return ``count`` as an edge weight.

    Args:
        count: People released (a sum of counts).
        where: What the count belongs to (an exchange IRI), for the message.

    Raises:
        CountTooLarge: If the count has no float value (more than about 308 digits).
    """
    try:
        return float(count)
    except OverflowError:
        place = f" ({where})" if where else ""
        raise CountTooLarge(
            f"a count of {len(str(count))} digits{place} is beyond any weight; counts lie "
            "between 0 and 1,000,000: `swapgraph validate` names the file and line"
        ) from None
