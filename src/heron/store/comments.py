"""Comments on an issue: plain text, kept in the issue's history as entries of kind "comment"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from heron.store.activity import ActivityEntry, issue_activity, record_activity

COMMENT = "comment"
MAX_COMMENT_CHARS = 10_000


def add_comment(session: Session, issue_id: int, user_id: int, text: str, now: datetime) -> None:
    """Comment on the issue (the caller checks the text is not empty and not longer than MAX_COMMENT_CHARS)."""
    record_activity(session, [issue_id], user_id, COMMENT, text=text, now=now)


def issue_comments(session: Session, issue_id: int) -> list[ActivityEntry]:
    """The issue's comments, newest last."""
    return issue_activity(session, issue_id, [COMMENT])
