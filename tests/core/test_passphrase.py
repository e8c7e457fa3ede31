"""The passphrase strength estimate behind the new-passphrase meter."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recorder.core.enrolment import MIN_PASSPHRASE
from recorder.core.passphrase import LABELS, Strength, assess


def test_a_few_unrelated_words_are_strong() -> None:
    verdict = assess("correct horse battery staple")
    assert (verdict.score, verdict.label, verdict.advice) == (4, "Strong", "")
    assert verdict.bits >= 60


@pytest.mark.parametrize(
    "passphrase",
    ["password1", "Password123", "P@ssw0rd!", "letmein2024", "iloveyou", "qwertyuiop", "Welcome1"],
)
def test_well_known_passwords_are_weak_whatever_the_decoration(passphrase: str) -> None:
    verdict = assess(passphrase)
    assert verdict.score <= 1
    assert "well-known" in verdict.advice


@pytest.mark.parametrize("passphrase", ["aaaaaaaaaaaa", "abcdefghijkl", "12345678", "98765432"])
def test_repeats_and_runs_are_weak(passphrase: str) -> None:
    verdict = assess(passphrase)
    assert (verdict.score, verdict.label) == (1, "Weak")
    assert "runs like abcd" in verdict.advice


def test_the_same_word_again_adds_almost_nothing() -> None:
    once = assess("lantern")
    assert assess("lantern lantern lantern lantern").bits <= once.bits + 3
    assert assess("lantern lantern lantern lantern").score == 1


def test_a_mixed_single_word_is_fair_or_good() -> None:
    verdict = assess("Tr0ub4dor&3")
    assert verdict.label in ("Fair", "Good")
    assert verdict.advice.endswith(".") and verdict.advice[0].isupper()


def test_one_class_counts_for_less_than_a_mix_of_classes() -> None:
    assert assess("73918264").bits < assess("qmzxvbwr").bits < assess("qM7x#b2R").bits


def test_separated_words_count_for_more_than_the_same_letters_run_together() -> None:
    assert assess("correcthorsebatterystaple").score < assess("correct horse battery staple").score
    assert assess("correct-horse-battery-staple").score == 4


def test_under_the_minimum_length_is_too_short() -> None:
    short = "x" * (MIN_PASSPHRASE - 1)
    for passphrase in ("", "Zq7#", short, "Zq7#Zq!"):
        verdict = assess(passphrase)
        assert (verdict.score, verdict.label) == (0, "Too short")
        assert str(MIN_PASSPHRASE) in verdict.advice
    assert assess("Zq7#mP2!").score > 0  # exactly the minimum


def test_advice_points_to_adding_words_until_strong() -> None:
    assert assess("blue river lamp").advice == "Add another unrelated word or two."
    assert "words" in assess("zebrafish").advice
    for passphrase in ("blue river lamp", "zebrafish", "aaaaaaaaaaaa", "password1"):
        assert assess(passphrase).advice


def test_scores_and_labels_agree() -> None:
    for passphrase in ("", "password1", "Tr0ub4dor&3", "blue river lamp", "a b c d e f g"):
        verdict = assess(passphrase)
        assert isinstance(verdict, Strength)
        assert verdict.label == LABELS[verdict.score]
        assert verdict.bits >= 0


words = st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10)


@settings(max_examples=300, deadline=None)
@given(passphrase=st.text(max_size=40), word=words)
def test_appending_an_unrelated_word_never_lowers_the_score(passphrase: str, word: str) -> None:
    before = assess(passphrase)
    after = assess(f"{passphrase} {word}")
    assert after.score >= before.score
    assert after.bits >= before.bits


@settings(max_examples=200, deadline=None)
@given(passphrase=st.text(max_size=60))
def test_any_text_gets_a_verdict(passphrase: str) -> None:
    verdict = assess(passphrase)
    assert 0 <= verdict.score <= 4
    assert (verdict.score == 4) == (verdict.advice == "")
