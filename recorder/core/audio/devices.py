"""Input devices: list them, resolve what the user typed, pick a sample rate."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from recorder.core.errors import DeviceError

log = logging.getLogger(__name__)

PREFERRED_RATE = 16_000


def sounddevice_module() -> Any:
    """The ``sounddevice`` module, or a ``DeviceError`` naming the missing PortAudio library."""
    try:
        import sounddevice
    except OSError as exc:  # PortAudio library missing
        raise DeviceError(
            "The audio library (PortAudio) is not installed.",
            hint="Install it: sudo apt-get install libportaudio2 (or run bash .ci/setup.sh).",
        ) from exc
    return sounddevice


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_rate: int
    is_default: bool = False

    def describe(self) -> str:
        star = " (default)" if self.is_default else ""
        return f"{self.index}: {self.name}{star}, {self.channels} ch, {self.default_rate} Hz"


def list_input_devices() -> list[InputDevice]:
    """Every device that can record, with its channel count and default rate."""
    sd = sounddevice_module()
    try:
        devices = sd.query_devices()
        default_in = sd.default.device[0]
    except Exception as exc:  # PortAudio errors are untyped
        raise DeviceError(f"Could not list audio devices: {exc}") from exc
    return [
        InputDevice(
            index=i,
            name=str(d["name"]),
            channels=int(d["max_input_channels"]),
            default_rate=int(d["default_samplerate"]),
            is_default=i == default_in,
        )
        for i, d in enumerate(devices)
        if int(d["max_input_channels"]) > 0
    ]


def resolve_device(spec: str | int | None) -> InputDevice:
    """The device for an index, a (part of a) name, or ``None`` for the system default."""
    devices = list_input_devices()
    if not devices:
        raise DeviceError(
            "No microphone or other input device was found.",
            hint="Connect a microphone (or check that it is enabled), then try again.",
        )
    if spec is None or spec == "":
        default = [d for d in devices if d.is_default]
        return default[0] if default else devices[0]
    if isinstance(spec, int) or str(spec).isdigit():
        index = int(spec)
        for d in devices:
            if d.index == index:
                return d
        raise DeviceError(f"There is no input device number {index}.", hint=_choices(devices))
    matches = [d for d in devices if str(spec).casefold() in d.name.casefold()]
    exact = [d for d in matches if d.name.casefold() == str(spec).casefold()]
    if len(exact) == 1 or len(matches) == 1:
        return (exact or matches)[0]
    if not matches:
        raise DeviceError(f"No input device is called {spec!r}.", hint=_choices(devices))
    raise DeviceError(f"Several input devices match {spec!r}.", hint=_choices(devices))


def _choices(devices: list[InputDevice]) -> str:
    return "Input devices: " + "; ".join(d.describe() for d in devices)


def choose_sample_rate(device: InputDevice, channels: int, preferred: int = PREFERRED_RATE) -> int:
    """``preferred`` (16 kHz) when the device takes it, else the device's own rate."""
    sd = sounddevice_module()
    for rate in (preferred, device.default_rate):
        try:
            sd.check_input_settings(
                device=device.index, channels=channels, samplerate=rate, dtype="int16"
            )
            return rate
        except Exception:  # PortAudio says no
            continue
    raise DeviceError(
        f"{device.name} cannot record {channels} channel(s) at {preferred} or "
        f"{device.default_rate} Hz.",
        hint="Pick another device or fewer channels.",
    )
