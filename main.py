"""Interview Recorder: ``python main.py`` starts the app; ``--help`` lists the commands."""

from recorder.app import main

if __name__ == "__main__":
    raise SystemExit(main())
