#!/usr/bin/env bash
# Sets up everything Interview Recorder needs on a fresh Debian/Ubuntu machine:
# system packages (when run as root), a virtual environment in .venv, and the Python packages.
#   bash .ci/setup.sh          # what the app needs
#   bash .ci/setup.sh --test   # plus what the test suite needs
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

app_debs=(libportaudio2 libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
          libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
          libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-xkb1 libsndfile1 fonts-dejavu-core)
test_debs=(pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox xvfb xauth age imagemagick)

debs=("${app_debs[@]}")
[ "$want_test" = 1 ] && debs+=("${test_debs[@]}")

if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing system packages: ${missing[*]}" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >/dev/null
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: these system packages are missing; install them with:" >&2
      echo "  sudo apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

py=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
pip=(quiet_pip .venv/bin/python -m pip install -q --disable-pip-version-check -c .ci/constraints.txt)
# pip warns about every package missing from locally configured extra indexes; hide that noise.
quiet_pip() { "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; }
stamp=.venv/.installed-$want_test-$(cat pyproject.toml .ci/constraints.txt .ci/setup.sh | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "setup: installing Python packages into .venv (about a minute the first time)" >&2
  # torch first, pinned, so nothing pulls the multi-GB CUDA build.
  "${pip[@]}" torch==2.13.0
  # openai-whisper without its triton dependency (GPU-only, ~1 GB); its small deps are listed
  # in pyproject.toml instead.
  "${pip[@]}" --no-deps openai-whisper==20250625
  # silero-vad, the default voice-activity detector (docs/PERFORMANCE.md, issue 6): --no-deps so
  # pip never re-resolves the pinned torch; `packaging` is its only other dependency. Its model
  # ships in the wheel and runs on torch (TorchScript), so its torchaudio/onnxruntime extras
  # are not needed.
  "${pip[@]}" --no-deps silero-vad==6.2.3 packaging
  if [ "$want_test" = 1 ]; then "${pip[@]}" -e ".[test]"; else "${pip[@]}" -e .; fi
  rm -f .venv/.installed-*
  touch "$stamp"
fi
