"""Find an event's class by its type name once, not at every event.

Rasa 3.6 rebuilds the list of every ``Event`` subclass (recursively, with an
``inspect.isabstract`` check each) for each event it deserialises: a tracker
read from Redis, the same tracker read again before saving, every answer of
the action server. Measured: 3.8 ms for 160 events, 0.2 ms once cached
(BENCHMARKS.md, "Levers"). The classes are all imported before the server
answers and never change, so a name resolved once stays resolved; a name Rasa
does not know still goes through Rasa's own lookup (and its error).
"""

from __future__ import annotations


def install() -> None:
    """Replace ``Event.resolve_by_type`` in this process (idempotent)."""
    from rasa.shared.core.events import Event

    rasa_resolve = Event.resolve_by_type
    if getattr(rasa_resolve, "cached", False):
        return
    known: dict[str, type[Event]] = {}

    def resolve_by_type(
        type_name: str, default: type[Event] | None = None
    ) -> type[Event] | None:
        if type_name in known:
            return known[type_name]
        found = rasa_resolve(type_name, default)
        if found is not None and found is not default:
            known[type_name] = found
        return found

    resolve_by_type.cached = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign, assignment]
