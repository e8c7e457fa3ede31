"""Reviewing a transcript against its audio: the editable document, its storage, and the diff
of human corrections against the machine transcript (Qt-free)."""
