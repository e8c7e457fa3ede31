"""The desktop app (PySide6). No crypto, audio or whisper code lives here: it calls the core."""
