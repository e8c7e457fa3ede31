"""Local transcription with openai-whisper: models, the engine, a worker process, transcripts.

Nothing here imports whisper or torch at module level; only the worker process loads them.
"""
