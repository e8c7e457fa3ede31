"""Export: the only way data leaves the vaults.

Explicit, de-identified by default, encrypted by default (age, via pyrage), and recorded in
the study. One module per format; ``service.run_export`` ties selection, rendering, the
bundle and the export log together. Nothing here writes plaintext to disk except an
explicitly chosen plaintext export.
"""
