"""The study vocabulary: stored in the study, edited from the CLI, and turned into whisper's
initial prompt and hotwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from recorder.core.errors import UsageError
from recorder.core.protocol import load_default_protocol
from recorder.core.study import Study
from recorder.core.transcribe import vocabulary as v
from tests.conftest import STUDY_PASS, StudyPair, run_cli

PROTOCOL = load_default_protocol()


def study_of(pair: StudyPair) -> Study:
    assert isinstance(pair.study, Study)
    return pair.study


# -- the glossary in the study ------------------------------------------------------------------


def test_a_new_or_older_study_uses_the_protocol_default(study_pair: StudyPair) -> None:
    study = study_of(study_pair)
    defaults = v.default_terms(PROTOCOL)
    assert {"co-responder", "CIT", "CPS", "5150 hold", "mobile crisis"} <= set(defaults)
    # Nothing stored: a study made before the vocabulary existed opens the same way.
    assert not v.is_stored(study)
    assert v.glossary(study) == defaults
    assert v.glossary(Study.open(study_pair.study_dir, STUDY_PASS)) == defaults


def test_set_add_remove_trim_and_deduplicate(study_pair: StudyPair) -> None:
    study = study_of(study_pair)
    stored = v.set_glossary(study, ["  co-responder ", "CIT", "cit", "crisis   intervention team"])
    assert stored == ("co-responder", "CIT", "crisis intervention team")
    assert v.add_terms(study, ["Harrowgate Crisis Connect", "CO-RESPONDER"]) == (
        "co-responder",
        "CIT",
        "crisis intervention team",
        "Harrowgate Crisis Connect",
    )
    assert v.remove_terms(study, ["cit", "harrowgate crisis connect"]) == (
        "co-responder",
        "crisis intervention team",
    )
    with pytest.raises(UsageError, match="not in the study vocabulary"):
        v.remove_terms(study, ["CPS", "co-responder"])
    assert v.glossary(study) == ("co-responder", "crisis intervention team")  # all or nothing
    again = Study.open(study_pair.study_dir, STUDY_PASS)
    assert v.glossary(again) == ("co-responder", "crisis intervention team")
    assert v.reset_glossary(again) == v.default_terms(PROTOCOL)
    assert v.set_glossary(again, []) == ()
    assert v.glossary(again) == ()  # an empty list is the study's choice, not "use defaults"


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (["   "], "cannot be empty"),
        (["CIT, CPS"], "comma or semicolon"),
        (["a\tb\x07"], "control characters"),
        (["x" * (v.MAX_TERM_CHARS + 1)], f"at most {v.MAX_TERM_CHARS}"),
        ([f"T{n}" for n in range(v.MAX_TERMS + 1)], f"at most {v.MAX_TERMS}"),
        ([f"term number {n:02d}" for n in range(30)], "characters long"),
    ],
)
def test_limits_are_clear_usage_errors(
    study_pair: StudyPair, terms: list[str], message: str
) -> None:
    study = study_of(study_pair)
    with pytest.raises(UsageError, match=message):
        v.set_glossary(study, terms)
    assert not v.is_stored(study)


# -- what whisper hears -------------------------------------------------------------------------


def test_prompt_and_hotwords(study_pair: StudyPair) -> None:
    study = study_of(study_pair)
    v.set_glossary(study, ["co-responder", "CIT", "5150 hold", "Tomasz"])
    options = v.vocabulary_options(study, PROTOCOL)
    assert options.initial_prompt is not None and options.hotwords is not None
    assert options.initial_prompt.startswith("Glossary: co-responder, CIT, 5150 hold, Tomasz. ")
    assert "Names: Ines, Dana" in options.initial_prompt  # Tomasz is not said twice
    assert options.initial_prompt.count("Tomasz") == 1
    assert options.initial_prompt.endswith(
        "Vignettes: Voices through the wall, Engine running, Frozen peas, After midnight, "
        "The sports bag."
    )
    assert options.hotwords.startswith("co-responder, CIT, 5150 hold, Tomasz, Ines")
    assert "Vignettes" not in options.hotwords and "Frozen peas" not in options.hotwords
    assert options.left_out == ()


def test_the_prompt_stays_within_whisper_budget() -> None:
    # The largest glossary allowed: the protocol's titles and names give way, never the terms.
    terms: tuple[str, ...] = ()
    while len(", ".join(terms)) + 16 <= v.GLOSSARY_MAX_CHARS:
        terms = v.clean_terms([*terms, f"jargon term {len(terms):02d}"])
    options = v.build_options(terms, PROTOCOL)
    assert options.initial_prompt is not None
    assert len(options.initial_prompt) <= v.PROMPT_MAX_CHARS
    # Roughly 3.4 characters a whisper token for this kind of text: far below 223 tokens.
    assert len(options.initial_prompt) / 2.5 < 223
    assert all(t in options.initial_prompt for t in terms)
    assert options.left_out and "The sports bag" in options.left_out


def test_nothing_to_say_is_none() -> None:
    assert v.build_options((), None) == v.VocabularyOptions(None, None)


def test_terms_file(tmp_path: Path) -> None:
    path = tmp_path / "terms.txt"
    path.write_text("# our glossary\nco-responder\n\n  CIT \ncit\n", encoding="utf-8")
    assert v.read_terms_file(path) == ("co-responder", "CIT")
    with pytest.raises(UsageError, match="does not exist"):
        v.read_terms_file(tmp_path / "missing.txt")


# -- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def study_dir(tmp_path: Path, cli_env: dict[str, str]) -> Path:
    s = tmp_path / "study"
    done = run_cli("study", "create", s, "--codemap", tmp_path / "codemap", env=cli_env)
    assert done.returncode == 0, done.stderr
    return s


@pytest.mark.parametrize("command", ["show", "set", "add", "remove"])
def test_cli_help(command: str, cli_env: dict[str, str]) -> None:
    done = run_cli("study", "vocabulary", command, "--help", env=cli_env)
    assert done.returncode == 0 and "STUDY_DIR" in done.stdout


def test_cli_show_add_remove_set(study_dir: Path, cli_env: dict[str, str], tmp_path: Path) -> None:
    s = study_dir
    shown = run_cli("study", "vocabulary", "show", s, env=cli_env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines() == list(v.default_terms(PROTOCOL))
    assert "default of the crisis-response protocol" in shown.stderr

    added = run_cli(
        "study", "vocabulary", "add", s, "Harrowgate Crisis Connect", "cit", env=cli_env
    )
    assert added.returncode == 0, added.stderr
    assert "Added 1 term(s) (1 already there)" in added.stderr
    removed = run_cli("study", "vocabulary", "remove", s, "APS", "dv", env=cli_env)
    assert removed.returncode == 0, removed.stderr
    prompt = run_cli("study", "vocabulary", "show", s, "--prompt", env=cli_env)
    lines = prompt.stdout.splitlines()
    assert lines[0].startswith("initial prompt: Glossary: co-responder,")
    assert "Harrowgate Crisis Connect. Names: Tomasz" in lines[0]
    assert "APS" not in lines[0] and ", DV" not in lines[0]
    assert lines[1].startswith("hotwords: co-responder,")

    terms = tmp_path / "terms.txt"
    terms.write_text("Tessaly Outreach\nco-responder\n", encoding="utf-8")
    assert run_cli("study", "vocabulary", "set", s, "--file", terms, env=cli_env).returncode == 0
    shown = run_cli("study", "vocabulary", "show", s, env=cli_env)
    assert shown.stdout.splitlines() == ["Tessaly Outreach", "co-responder"]
    assert "default" not in shown.stderr


def test_cli_errors_are_sentences(study_dir: Path, cli_env: dict[str, str]) -> None:
    s = study_dir
    cases = [
        (["remove", s, "nonsense"], "'nonsense' is not in the study vocabulary"),
        (["add", s, "CIT, CPS"], "comma or semicolon"),
        (["add", s, "x" * 60], f"at most {v.MAX_TERM_CHARS}"),
        (["set", s], "Give the new terms, or one of --file FILE, --default or --empty"),
        (["set", s, "CIT", "--empty"], "Give the new terms, or one of"),
    ]
    for args, message in cases:
        done = run_cli("study", "vocabulary", *args, env=cli_env)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
    # None of that changed anything.
    shown = run_cli("study", "vocabulary", "show", s, env=cli_env)
    assert shown.stdout.splitlines() == list(v.default_terms(PROTOCOL))
