"""A private Atom feed per user: the URL's secret is the only key, and regenerating it
kills the old URL. Only the secret's SHA-256 is stored."""

from __future__ import annotations

from feedgen.feed import FeedGenerator
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shared.alerts.service import notifications
from shared.credentials import digest, new_secret
from shared.db.base import utcnow
from shared.db.models import FeedToken, Posting, User
from shared.jobs import aware
from shared.settings import get_settings


def new_feed_token(session: Session, user_id: int) -> str:
    session.execute(delete(FeedToken).where(FeedToken.user_id == user_id))
    token, token_hash = new_secret()
    session.add(FeedToken(user_id=user_id, token_hash=token_hash, created_at=utcnow()))
    session.flush()
    return token


def feed_url(token: str, base: str | None = None) -> str:
    """Under the address the user reached us at, else LIR_PUBLIC_URL."""
    return f"{(base or get_settings().public_url).rstrip('/')}/feeds/{token}.atom"


def user_for_feed(session: Session, token: str) -> User | None:
    user_id = session.scalar(select(FeedToken.user_id).where(FeedToken.token_hash == digest(token)))
    return session.get(User, user_id) if user_id is not None else None


def atom(session: Session, user: User, token: str) -> bytes:
    """The user's newest alerts, one entry each, linking to the posting on LinkedIn."""
    base = get_settings().public_url.rstrip("/")
    fg = FeedGenerator()
    fg.id(f"{base}/feeds/user-{user.id}")
    fg.title("LIRecommend: new matches and closed postings")
    fg.author({"name": "LIRecommend"})
    fg.link(href=feed_url(token), rel="self")
    fg.link(href=f"{base}/recommend", rel="alternate")
    notes = notifications(session, user.id, limit=100)
    fg.updated(aware(notes[0].created_at) if notes else utcnow())
    for note in reversed(notes):  # feedgen lists the last added first
        posting = session.get(Posting, note.posting_id)
        entry = fg.add_entry()
        entry.id(f"{base}/notifications/{note.id}")
        entry.title(note.title)
        entry.updated(aware(note.created_at))
        entry.published(aware(note.created_at))
        if posting is not None and posting.url:
            entry.link(href=posting.url)
        score = (
            f"predicted {note.expected_score:.1f} of 3"
            if note.expected_score is not None
            else "closed: you have it on your tracker"
            if note.kind == "closed"
            else ""
        )
        entry.summary(", ".join(p for p in (score, posting.location if posting else None) if p))
    return bytes(fg.atom_str(pretty=True))
