"""Shared fixtures: one Analyzer for the whole analyzer suite (building one costs ~0.5 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "config" / "rules.yaml"
CORPUS = ROOT / "tests" / "corpus"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def analyzer() -> Analyzer:
    licensed = CORPUS / "licensed.txt"
    return Analyzer(RULES, licensed if licensed.is_file() else ROOT / "config" / "licensed.txt")


@pytest.fixture(scope="session")
def ungated() -> Analyzer:
    """The rules without the offer gate: what the rules alone make of a post."""
    return Analyzer(RULES, ROOT / "config" / "licensed.txt", offer_gate=None)
