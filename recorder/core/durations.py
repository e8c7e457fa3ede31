"""Durations as people read them on screen and in transcripts."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """``02:03``, or ``1:02:03`` past an hour."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
