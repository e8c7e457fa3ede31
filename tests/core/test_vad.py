"""Voice-activity detection on real espeak-ng speech with silences and noise, real libraries."""

from __future__ import annotations

import itertools
import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from recorder.core.transcribe import vad
from tests.conftest import ROOT
from tests.virtual_audio import RATE, speech

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")

LINES = (
    ("Could you tell me what happened when you arrived?", "en+f3"),
    ("He was sitting on the stairs and would not look at us.", "en-us+m3"),
    ("Yes, I think we waited nearly forty minutes.", "en"),
    ("Looking back, I would have called the team earlier.", "en-gb-x-rp+f4"),
)


@dataclass(frozen=True)
class Scene:
    audio: np.ndarray
    utterances: list[tuple[int, int]]

    def speech_mask(self) -> np.ndarray:
        return covered(self.utterances, len(self.audio))


def covered(regions: list[tuple[int, int]], total: int) -> np.ndarray:
    mask = np.zeros(total, dtype=bool)
    for start, end in regions:
        mask[start:end] = True
    return mask


def trimmed(audio: np.ndarray) -> np.ndarray:
    """From the first to the last sound, at an RMS of -20 dBFS."""
    loud = np.flatnonzero(np.abs(audio) > 0.01 * np.abs(audio).max())
    audio = audio[loud[0] : loud[-1] + 1]
    return (audio * 0.1 / np.sqrt(np.mean(np.square(audio)))).astype(np.float32)


def scene(clips: list[np.ndarray], gaps_s: list[float], snr_db: float | None, seed: int) -> Scene:
    """gaps_s[0] of silence, clip 0, gaps_s[1], clip 1, ..., then the last gap."""
    assert len(gaps_s) == len(clips) + 1
    parts, utterances, at = [], [], 0
    for gap, clip in zip(gaps_s, [*clips, None], strict=True):
        parts.append(np.zeros(int(gap * RATE), dtype=np.float32))
        at += len(parts[-1])
        if clip is not None:
            parts.append(clip)
            utterances.append((at, at + len(clip)))
            at += len(clip)
    audio = np.concatenate(parts)
    if snr_db is not None:
        power = np.mean(np.concatenate([audio[s:e] for s, e in utterances]) ** 2)
        noise = np.random.default_rng(seed).normal(
            0, np.sqrt(power / 10 ** (snr_db / 10)), len(audio)
        )
        audio = (audio + noise).astype(np.float32)
    return Scene(audio, utterances)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[np.ndarray]:
    folder = tmp_path_factory.mktemp("espeak")
    return [trimmed(speech(text, Path(folder) / "line.wav", voice)) for text, voice in LINES]


@pytest.fixture(scope="module")
def interview(clips: list[np.ndarray]) -> Scene:
    """Speech at 20 dB SNR with a 0.8-s pause, a 10-s silence in the middle and a 1.5-s pause."""
    return scene(clips, [1.0, 0.8, 10.0, 1.5, 1.0], snr_db=20, seed=6)


def recall(scene: Scene, regions: list[tuple[int, int]]) -> float:
    return float(np.mean(covered(regions, len(scene.audio))[scene.speech_mask()]))


def check_regions(regions: list[tuple[int, int]], total: int) -> None:
    assert all(0 <= s < e <= total for s, e in regions)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(regions))


def test_default_detector_finds_the_speech_at_20_db(interview: Scene) -> None:
    regions = vad.detect_speech(interview.audio, RATE)
    check_regions(regions, len(interview.audio))
    assert recall(interview, regions) >= 0.98
    # and it is not "everything is speech": most of the 10-s silence is not speech
    silence = slice(interview.utterances[1][1], interview.utterances[2][0])
    assert np.mean(covered(regions, len(interview.audio))[silence]) < 0.2


def test_a_soft_answer_in_noise_is_still_transcribed(clips: list[np.ndarray]) -> None:
    """The default detector: the second speaker 12 dB quieter, white noise at 10 dB SNR."""
    soft = [clips[0], clips[1] * 10 ** (-12 / 20), clips[2]]
    noisy = scene(soft, [3.0, 4.0, 4.0, 3.0], snr_db=10, seed=5)
    total = len(noisy.audio)
    regions = vad.detect_speech(noisy.audio, RATE)
    assert recall(noisy, regions) >= 0.98
    kept = covered(vad.regions_to_transcribe(regions, total, RATE), total)
    assert kept[noisy.speech_mask()].all()
    assert np.count_nonzero(~kept) >= 5 * RATE  # and still not everything


@pytest.mark.parametrize("detector", vad.DETECTORS)
def test_every_detector_runs(interview: Scene, detector: str) -> None:
    regions = vad.detect_speech(interview.audio, RATE, detector=detector)
    check_regions(regions, len(interview.audio))
    assert recall(interview, regions) >= 0.95
    assert sum(e - s for s, e in regions) < 0.8 * len(interview.audio)


@pytest.mark.parametrize("detector", vad.DETECTORS)
def test_the_ten_second_silence_is_skipped_and_no_speech_is(
    interview: Scene, detector: str
) -> None:
    total = len(interview.audio)
    regions = vad.detect_speech(interview.audio, RATE, detector=detector)
    kept = covered(vad.regions_to_transcribe(regions, total, RATE), total)
    assert kept[interview.speech_mask()].all()
    silence = kept[interview.utterances[1][1] : interview.utterances[2][0]]
    assert np.count_nonzero(~silence) >= 8 * RATE  # 10 s less padding and hangover
    # the 0.8-s and 1.5-s pauses are shorter than min_silence_s: transcribed with the speech
    assert kept[interview.utterances[0][0] : interview.utterances[1][1]].all()
    assert kept[interview.utterances[2][0] : interview.utterances[3][1]].all()


@pytest.mark.parametrize("detector", vad.DETECTORS)
def test_cut_point_is_inside_the_last_pause(clips: list[np.ndarray], detector: str) -> None:
    three = scene(clips[:3], [0.0, 1.5, 1.2, 0.0], snr_db=20, seed=1)
    cut = vad.cut_point(three.audio, RATE, detector=detector)
    assert cut is not None
    assert three.utterances[1][1] < cut < three.utterances[2][0]


@pytest.mark.slow  # rescans the growing buffer every half second, as live transcription will
@pytest.mark.parametrize("detector", vad.DETECTORS)
def test_live_cuts_never_land_inside_an_utterance(interview: Scene, detector: str) -> None:
    mask, last, cuts = interview.speech_mask(), 0, []
    for end in range(RATE, len(interview.audio) + 1, RATE // 2):
        cut = vad.cut_point(interview.audio[last:end], RATE, detector=detector)
        if cut is not None:
            last += cut
            cuts.append(last)
    assert len(cuts) >= 3  # the 0.8-s pause may be too short after hangover; the rest are not
    assert not any(mask[c] for c in cuts), cuts


@pytest.mark.parametrize("detector", vad.DETECTORS)
def test_no_cut_without_a_long_enough_pause(clips: list[np.ndarray], detector: str) -> None:
    close = scene(clips[:2], [0.0, 0.25, 0.0], snr_db=20, seed=2)
    assert vad.cut_point(close.audio, RATE, detector=detector) is None
    # a pause still running at the end counts only once it is min_pause_s long
    ending = scene(clips[:1], [0.0, 0.2], snr_db=20, seed=3)
    assert vad.cut_point(ending.audio, RATE, detector=detector) is None
    longer = scene(clips[:1], [0.0, 1.5], snr_db=20, seed=3)
    cut = vad.cut_point(longer.audio, RATE, detector=detector)
    assert cut is not None and cut > longer.utterances[0][1]


@pytest.mark.parametrize("detector", vad.DETECTORS)
def test_silence_has_no_speech(detector: str) -> None:
    quiet = np.random.default_rng(4).normal(0, 1e-4, 3 * RATE).astype(np.float32)
    assert vad.detect_speech(quiet, RATE, detector=detector) == []
    assert vad.cut_point(quiet, RATE, detector=detector) == len(quiet) // 2
    assert vad.detect_speech(np.zeros(0, dtype=np.float32), RATE, detector=detector) == []


@pytest.mark.parametrize("library", ["silero_vad", "webrtcvad"])
def test_a_missing_library_falls_back_to_energy(
    interview: Scene,
    library: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    detector = {"silero_vad": "silero", "webrtcvad": "webrtc"}[library]
    with_library = vad.detect_speech(interview.audio, RATE, detector=detector)
    monkeypatch.setitem(sys.modules, library, None)  # what an uninstalled package looks like
    monkeypatch.setattr(vad, "_warned", set())
    with caplog.at_level(logging.WARNING, logger=vad.__name__):
        fallen_back = vad.detect_speech(interview.audio, RATE, detector=detector)
    assert fallen_back == vad.detect_speech(interview.audio, RATE, detector="energy")
    assert fallen_back != with_library
    assert any(detector in r.getMessage() and "energy" in r.getMessage() for r in caplog.records)
    assert recall(interview, fallen_back) >= 0.98


@pytest.mark.parametrize(
    ("detector", "rate"), [("energy", 8000), ("webrtc", 44_100), ("silero", 48_000)]
)
def test_other_sample_rates_map_back_to_their_samples(
    interview: Scene, detector: str, rate: int
) -> None:
    from recorder.core.audio.pcm import resample

    audio = resample(interview.audio[:, None], RATE, rate)[:, 0]
    regions = vad.detect_speech(audio, rate, detector=detector)
    check_regions(regions, len(audio))
    back = [(s * RATE // rate, -(-e * RATE // rate)) for s, e in regions]
    assert recall(interview, back) >= 0.95


def test_regions_to_transcribe_merges_pads_and_clips() -> None:
    r = 100  # samples per second, to keep the arithmetic readable
    regions = [(300, 400), (500, 600), (900, 1000), (1300, 1350)]
    # gaps of 1 s are joined; gaps of 3 s (and the 3-s start, 6.5-s end) are skipped
    assert vad.regions_to_transcribe(regions, 2000, r, min_silence_s=2.0, pad_s=0.5) == [
        (250, 650),
        (850, 1050),
        (1250, 1400),
    ]
    assert vad.regions_to_transcribe(regions, 2000, r, min_silence_s=3.0, pad_s=0.5) == [
        (250, 650),
        (850, 1050),
        (1250, 1400),
    ]
    assert vad.regions_to_transcribe(regions, 2000, r, min_silence_s=4.0, pad_s=0.5) == [
        (250, 1400)
    ]
    # the silence before the first speech and after the last goes beyond the pad, however
    # short (transcribed from 0, whisper placed the first word at 0 when speech began at 1.9 s)
    assert vad.regions_to_transcribe([(100, 200), (800, 900)], 1000, r, pad_s=0.5) == [
        (50, 250),
        (750, 950),
    ]
    assert vad.regions_to_transcribe([(150, 300)], 400, r, pad_s=0.0) == [(150, 300)]
    assert vad.regions_to_transcribe([(20, 300)], 400, r, pad_s=0.4) == [(0, 340)]
    assert vad.regions_to_transcribe([], 400, r) == []
    # unsorted and out-of-range input
    assert vad.regions_to_transcribe([(900, 1200), (-50, 10)], 1000, r, pad_s=0.0) == [
        (0, 10),
        (900, 1000),
    ]


IMPORT_PROBE = """
import sys
import numpy as np
import recorder.core.transcribe.vad as vad
assert not [m for m in sys.modules if m.split(".")[0] in ("torch", "whisper", "silero_vad")]
import torch
torch.set_num_threads(2)
vad.detect_speech(np.zeros(16000, dtype=np.float32), 16000, detector="silero")
print(torch.get_num_threads())
"""


def test_importing_is_cheap_and_silero_leaves_torch_threads_alone() -> None:
    """silero_vad sets torch to one thread on import; whisper in the same process needs them."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown detector"):
        vad.detect_speech(np.zeros(10, dtype=np.float32), detector="magic")
    with pytest.raises(ValueError, match="mono"):
        vad.detect_speech(np.zeros((10, 2), dtype=np.float32))
    assert vad.DEFAULT_DETECTOR in vad.DETECTORS
