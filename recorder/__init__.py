"""Interview Recorder: encrypted, offline qualitative interview recording."""

__version__ = "0.1.0"
