"""Analyzers: text in, findings out (rules of shared/spec/rules.md).

    from analyzers import Analyzer, Finding
    analyzer = Analyzer.from_settings(settings)
    analyzer.analyze(text, kind="page") -> list[Finding]

No Scrapy, no store: this package imports nothing of the project but what it is handed.
"""

from .engine import KINDS, Analyzer
from .finding import Finding
from .rules import RulesError

__all__ = ["KINDS", "Analyzer", "Finding", "RulesError"]
