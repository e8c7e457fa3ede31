"""Audio: capture into encrypted segment files, recovery, import, playback, export.

No plaintext audio ever touches the disk: PCM goes from the PortAudio callback through a
queue to a writer thread that streams it into a sealed (Cobblestone) file.
"""
