"""Review decisions on findings: one service for the console form, the API and the command line."""

from .service import (
    AlreadyDecided,
    BadDecision,
    DecisionError,
    DecisionOutcome,
    NotAllowed,
    NotFound,
    Reviewer,
    decide,
    may_decide,
)

__all__ = [
    "AlreadyDecided", "BadDecision", "DecisionError", "DecisionOutcome", "NotAllowed", "NotFound",
    "Reviewer", "decide", "may_decide",
]
