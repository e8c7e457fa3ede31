"""The Qt-free core: storage, crypto, protocols, sessions, audio and transcription logic.

Nothing in this package may import PySide6 or any other GUI toolkit; a test enforces it.
"""
