"""The transcript review editor: turns with synced playback, autosave, undo/redo, and the
de-identification review on top of it. Open it with ``review_page.open_review_page``."""
