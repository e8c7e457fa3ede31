"""A real microphone without hardware: a user-mode PulseAudio daemon with null sinks.

What is played into a sink with ``paplay`` is what PortAudio records from the sink's monitor
(recipe measured in ../shared/ENVIRONMENT.md). All daemon state lives in a temp folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np

RATE = 16_000


class VirtualPulse:
    """One PulseAudio daemon: ``vsink`` (mono) and ``vsink2`` (stereo), both 16 kHz."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="vpulse-"))
        run = self.dir / "run"
        (run / "pulse").mkdir(parents=True)
        self.env = {
            "XDG_RUNTIME_DIR": str(run),
            "XDG_CONFIG_HOME": str(self.dir / "cfg"),
            "PULSE_STATE_PATH": str(self.dir / "state"),
            "PULSE_RUNTIME_PATH": str(run / "pulse"),
            "PULSE_SERVER": f"unix:{run}/pulse/native",
        }

    @staticmethod
    def available() -> bool:
        return all(shutil.which(t) for t in ("pulseaudio", "pactl", "paplay"))

    def _run(self, *cmd: str) -> None:
        subprocess.run(cmd, env={**os.environ, **self.env}, check=True, capture_output=True)

    def start(self) -> None:
        self._run(
            "pulseaudio",
            "--daemonize=yes",
            "--system=false",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "-n",
            "--load=module-native-protocol-unix",
            f"--load=module-null-sink sink_name=vsink rate={RATE} channels=1",
            f"--load=module-null-sink sink_name=vsink2 rate={RATE} channels=2",
            f"--log-target=file:{self.dir}/pa.log",
        )
        self._run("pactl", "set-default-sink", "vsink")
        self.use_source("vsink.monitor")

    def use_source(self, source: str) -> None:
        """Make ``source`` the default input (what PortAudio's 'default' device records)."""
        self._run("pactl", "set-default-source", source)

    def play(self, wav: Path, sink: str = "vsink") -> None:
        """Play a file into a sink; returns when it has been played."""
        self._run("paplay", f"--device={sink}", str(wav))

    def stop(self) -> None:
        pid_file = Path(self.env["PULSE_RUNTIME_PATH"]) / "pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            pid_file.unlink(missing_ok=True)


def speech(text: str, out: Path, voice: str = "en") -> np.ndarray:
    """Speak ``text`` with espeak-ng into a 16 kHz mono WAV; returns the float samples."""
    import soundfile as sf

    from recorder.core.audio.pcm import resample

    raw = out.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(raw), text], check=True)
    data, rate = sf.read(str(raw), dtype="float32", always_2d=True)
    mono = resample(data, rate, RATE)[:, 0]
    sf.write(str(out), mono, RATE, subtype="PCM_16")
    return mono


def best_alignment(recorded: np.ndarray, source: np.ndarray) -> tuple[float, int]:
    """(normalised cross-correlation, lag) of ``source`` found inside ``recorded``."""
    from scipy.signal import correlate

    full = correlate(recorded, source, mode="valid", method="fft")
    lag = int(np.argmax(np.abs(full)))
    window = recorded[lag : lag + len(source)]
    score = float(np.dot(window, source) / (np.linalg.norm(window) * np.linalg.norm(source)))
    return score, lag
