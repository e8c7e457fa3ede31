"""App settings: recent study folders and the idle-lock delay, in the user's config folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recorder.core import appconfig
from recorder.core.appconfig import RecentStudy
from tests.conftest import StudyPair


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The settings file of a fresh config folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    return tmp_path / "cfg" / "interview-recorder" / "settings.json"


def test_no_recent_studies_at_first(config: Path) -> None:
    assert appconfig.recent_studies() == []
    assert not config.exists()


def test_a_remembered_study_is_listed_with_its_code_map(
    config: Path, study_pair: StudyPair
) -> None:
    appconfig.remember_study(study_pair.study_dir, study_pair.codemap_dir)
    assert appconfig.recent_studies() == [
        RecentStudy(study_pair.study_dir.resolve(), study_pair.codemap_dir.resolve(), True)
    ]


def test_a_folder_without_a_vault_is_listed_as_missing(config: Path, tmp_path: Path) -> None:
    appconfig.remember_study(tmp_path / "moved-away", None)
    (recent,) = appconfig.recent_studies()
    assert recent.folder == (tmp_path / "moved-away").resolve()
    assert (recent.codemap_folder, recent.exists) == (None, False)


def test_most_recent_first_at_most_eight(config: Path, tmp_path: Path) -> None:
    for i in range(10):
        appconfig.remember_study(tmp_path / f"s{i}", None)
    appconfig.remember_study(tmp_path / "s5", tmp_path / "c5")  # opened again
    names = [r.folder.name for r in appconfig.recent_studies()]
    assert names == ["s5", "s9", "s8", "s7", "s6", "s4", "s3", "s2"]
    assert appconfig.recent_studies()[0].codemap_folder == (tmp_path / "c5").resolve()


def test_two_spellings_of_one_folder_are_one_entry(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "study").mkdir()
    (tmp_path / "other").mkdir()
    appconfig.remember_study(tmp_path / "study", None)
    appconfig.remember_study(tmp_path / "other" / ".." / "study", None)
    monkeypatch.chdir(tmp_path)
    appconfig.remember_study(Path("study"), None)
    assert [r.folder for r in appconfig.recent_studies()] == [(tmp_path / "study").resolve()]


def test_only_folder_paths_are_stored(config: Path, study_pair: StudyPair) -> None:
    appconfig.remember_input_device("USB Audio CODEC")
    appconfig.remember_study(study_pair.study_dir, study_pair.codemap_dir)
    appconfig.remember_study(study_pair.study_dir.parent / "second", None)
    data = json.loads(config.read_text(encoding="utf-8"))
    assert data["recent_studies"] == [
        {"folder": str((study_pair.study_dir.parent / "second").resolve()), "codemap": None},
        {
            "folder": str(study_pair.study_dir.resolve()),
            "codemap": str(study_pair.codemap_dir.resolve()),
        },
    ]
    assert "Crisis response" not in config.read_text(encoding="utf-8")  # the study title
    assert appconfig.last_input_device() == "USB Audio CODEC"  # other settings are kept


def test_forgetting_a_study(config: Path, tmp_path: Path) -> None:
    appconfig.remember_study(tmp_path / "a", None)
    appconfig.remember_study(tmp_path / "b", tmp_path / "cb")
    appconfig.forget_study(tmp_path / "x" / ".." / "a")
    assert [r.folder.name for r in appconfig.recent_studies()] == ["b"]
    appconfig.forget_study(tmp_path / "never-seen")  # nothing to do
    assert [r.folder.name for r in appconfig.recent_studies()] == ["b"]


def test_malformed_entries_are_skipped(config: Path, tmp_path: Path) -> None:
    good = str(tmp_path / "good")
    config.parent.mkdir(parents=True)
    config.write_text(
        json.dumps(
            {
                "recent_studies": [
                    "just a string",
                    None,
                    {},
                    {"folder": ""},
                    {"folder": 7},
                    {"folder": str(tmp_path / "bad"), "codemap": 3},
                    {"folder": good, "codemap": None},
                    {"folder": good, "codemap": None},
                    {"folder": str(tmp_path / "also"), "codemap": str(tmp_path / "c")},
                ]
            }
        ),
        encoding="utf-8",
    )
    assert [r.folder.name for r in appconfig.recent_studies()] == ["good", "also"]
    appconfig.remember_study(tmp_path / "new", None)
    assert [r.folder.name for r in appconfig.recent_studies()] == ["new", "good", "also"]


@pytest.mark.parametrize("stored", ['{"recent_studies": {"folder": "/x"}}', "[1, 2]", "{not json"])
def test_a_damaged_settings_file_means_no_recent_studies(config: Path, stored: str) -> None:
    config.parent.mkdir(parents=True)
    config.write_text(stored, encoding="utf-8")
    assert appconfig.recent_studies() == []


def test_idle_lock_defaults_to_ten_minutes(config: Path) -> None:
    assert appconfig.idle_lock_minutes() == 10


@pytest.mark.parametrize(("given", "kept"), [(0, 0), (1, 1), (45, 45), (240, 240), (241, 240)])
def test_idle_lock_is_stored_within_bounds(config: Path, given: int, kept: int) -> None:
    appconfig.set_idle_lock_minutes(given)
    assert appconfig.idle_lock_minutes() == kept


def test_a_negative_idle_lock_means_never(config: Path) -> None:
    appconfig.set_idle_lock_minutes(-5)
    assert appconfig.idle_lock_minutes() == 0


@pytest.mark.parametrize("stored", ['"ten"', "true", "12.5", "null", "999"])
def test_a_hand_edited_idle_lock_is_read_safely(config: Path, stored: str) -> None:
    config.parent.mkdir(parents=True)
    config.write_text(f'{{"idle_lock_minutes": {stored}}}', encoding="utf-8")
    assert appconfig.idle_lock_minutes() == (240 if stored == "999" else 10)


def test_a_long_hand_edited_list_is_cut_to_eight(config: Path, tmp_path: Path) -> None:
    config.parent.mkdir(parents=True)
    entries = [{"folder": str(tmp_path / f"s{i}"), "codemap": None} for i in range(12)]
    config.write_text(json.dumps({"recent_studies": entries}), encoding="utf-8")
    assert [r.folder.name for r in appconfig.recent_studies()] == [f"s{i}" for i in range(8)]


def test_vault_header_name_matches_the_vault() -> None:
    """appconfig repeats the name (to keep the start page light); the two must agree."""
    from recorder.core.vault import HEADER_NAME

    assert appconfig.VAULT_HEADER == HEADER_NAME


def test_reopening_without_a_code_map_keeps_the_known_one(tmp_path: Path, config: Path) -> None:
    """The study unlocks before its code map (and again after an idle lock)."""
    appconfig.remember_study(tmp_path / "study", tmp_path / "codemap")
    appconfig.remember_study(tmp_path / "study", None)
    (recent,) = appconfig.recent_studies()
    assert recent.codemap_folder == (tmp_path / "codemap").resolve()
