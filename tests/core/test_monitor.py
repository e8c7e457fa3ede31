"""The pre-recording level test on the real PortAudio stream from the virtual microphone."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from recorder.core.audio.devices import InputDevice, choose_sample_rate, resolve_device
from recorder.core.audio.monitor import InputMonitor
from recorder.core.errors import DeviceError
from tests.conftest import wait_until
from tests.virtual_audio import RATE, VirtualPulse, speech

pytestmark = pytest.mark.audio


def default_monitor(channels: int = 1) -> InputMonitor:
    device = resolve_device(None)
    return InputMonitor(device, choose_sample_rate(device, channels), channels)


def test_levels_rise_while_someone_speaks(pulse: VirtualPulse, tmp_path: Path) -> None:
    speech("Hello.", tmp_path / "speech.wav")
    with default_monitor() as monitor:
        assert monitor.running
        assert monitor.sample_rate == RATE
        # A quarter second of audio has arrived, and it is silence.
        wait_until(lambda: monitor.levels().silent_seconds >= 0.25)
        quiet = monitor.levels()
        assert quiet.peak_dbfs[0] < -60 and quiet.rms_dbfs[0] < -60
        player = threading.Thread(target=pulse.play, args=(tmp_path / "speech.wav",))
        player.start()
        try:
            wait_until(lambda: monitor.levels().peak_dbfs[0] > -40, timeout=5)
        finally:
            player.join()
        assert not monitor.levels().clipping
    assert not monitor.running


def test_stop_is_idempotent_and_a_stopped_monitor_can_start_again(pulse: VirtualPulse) -> None:
    monitor = default_monitor()
    assert not monitor.running
    assert monitor.levels().silent_seconds == 0  # nothing heard before start
    monitor.start()
    monitor.start()  # already running: nothing happens
    wait_until(lambda: monitor.levels().silent_seconds >= 0.3)
    monitor.stop()
    monitor.stop()
    assert not monitor.running
    frozen = monitor.levels()
    assert monitor.levels() == frozen  # no more audio arrives
    monitor.start()
    assert monitor.running
    assert monitor.levels().silent_seconds < 0.3  # a fresh meter
    wait_until(lambda: monitor.levels().silent_seconds > 0)
    monitor.stop()
    assert not monitor.running


def test_two_channels_give_two_meters(pulse: VirtualPulse) -> None:
    pulse.use_source("vsink2.monitor")
    try:
        with default_monitor(channels=2) as monitor:
            wait_until(lambda: monitor.levels().silent_seconds > 0)
            assert len(monitor.levels().peak_dbfs) == 2
    finally:
        pulse.use_source("vsink.monitor")


def test_a_device_that_does_not_exist_is_a_device_error(pulse: VirtualPulse) -> None:
    ghost = InputDevice(index=9999, name="Ghost microphone", channels=1, default_rate=RATE)
    monitor = InputMonitor(ghost, RATE, 1)
    with pytest.raises(DeviceError) as caught:
        monitor.start()
    assert "Ghost microphone" in str(caught.value)
    assert "microphone is connected" in caught.value.hint
    assert not monitor.running
    monitor.stop()  # harmless after a failed start


def test_asking_for_more_channels_than_the_device_has_is_a_device_error(
    pulse: VirtualPulse,
) -> None:
    device = resolve_device(None)
    with pytest.raises(DeviceError), InputMonitor(device, RATE, device.channels + 64):
        pytest.fail("the monitor should not have started")
