"""What a user types at the go-to prompt (``g``), as picks of labels per axis."""

from __future__ import annotations


def parse_goto(text: str, axis_names: list[str], default_axis: str | None) -> dict[str, str]:
    """``"layer 18"``, ``"layer=18, variant=Aux-Loss-Free"`` or ``"18"`` -> picks.

    Raises ValueError with a message for the user when nothing can be understood.
    """
    picks: dict[str, str] = {}
    lowered = {n.casefold(): n for n in axis_names}
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if "=" in part:
            axis, label = (x.strip() for x in part.split("=", 1))
        else:
            head, _, rest = part.partition(" ")
            if head.casefold() in lowered and rest.strip():
                axis, label = head, rest.strip()
            elif default_axis is not None:
                axis, label = default_axis, part
            else:
                raise ValueError(f"say which axis: {', '.join(axis_names)}")
        picks[lowered.get(axis.casefold(), axis)] = label
    if not picks:
        raise ValueError("nothing to go to")
    return picks
