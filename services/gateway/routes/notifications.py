"""In-app notifications, the private Atom feed of them, and the e-mail unsubscribe link."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel

from services.gateway.deps import SessionDep, UserDep, not_found
from services.gateway.web.render import render
from shared.alerts import feed
from shared.alerts.digest import saved_search_for
from shared.alerts.service import mark_read, notifications, unread_count
from shared.db.models import Notification, SavedSearch
from shared.jobs import aware

router = APIRouter(tags=["alerts"])
feeds = APIRouter(tags=["alerts"])


class NotificationPublic(BaseModel):
    id: int
    kind: str
    title: str
    posting_id: int
    saved_search_id: int | None
    expected_score: float | None
    created_at: datetime
    read_at: datetime | None


class Notifications(BaseModel):
    items: list[NotificationPublic]
    unread: int


class MarkRead(BaseModel):
    ids: list[int] | None = None  # None: all


class FeedOut(BaseModel):
    feed_url: str


def _out(n: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=n.id,
        kind=n.kind,
        title=n.title,
        posting_id=n.posting_id,
        saved_search_id=n.saved_search_id,
        expected_score=n.expected_score,
        created_at=aware(n.created_at) or n.created_at,
        read_at=aware(n.read_at),
    )


@router.get("/notifications")
def list_notifications(
    session: SessionDep,
    user: UserDep,
    unread: Annotated[bool, Query(description="only unread ones")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Notifications:
    items = notifications(session, user.id, unread_only=unread, limit=limit)
    return Notifications(items=[_out(n) for n in items], unread=unread_count(session, user.id))


@router.post("/notifications/read")
def read(body: MarkRead, session: SessionDep, user: UserDep) -> dict[str, int]:
    return {"marked": mark_read(session, user.id, body.ids)}


@router.post("/feed-token", status_code=status.HTTP_201_CREATED)
def feed_token(request: Request, session: SessionDep, user: UserDep) -> FeedOut:
    """A new private feed URL; the previous one stops working."""
    token = feed.new_feed_token(session, user.id)
    return FeedOut(feed_url=feed.feed_url(token, str(request.base_url)))


@feeds.get("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe_page(token: str, request: Request, session: SessionDep) -> Response:
    saved = _digest_of(session, token)
    return render(request, "unsubscribe.html", None, token=token, saved=saved, done=False)


@feeds.post("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe(token: str, request: Request, session: SessionDep) -> Response:
    """The signed link is the authority (mail clients post here in one click, RFC 8058)."""
    saved = _digest_of(session, token)
    saved.email_digest = False
    return render(request, "unsubscribe.html", None, token=token, saved=saved, done=True)


def _digest_of(session: SessionDep, token: str) -> SavedSearch:
    saved_id = saved_search_for(token)
    saved = session.get(SavedSearch, saved_id) if saved_id is not None else None
    if saved is None:
        raise not_found("subscription")
    return saved


@feeds.get(
    "/feeds/{feed_token}.atom",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}},
        404: {"description": "no such feed"},
    },
)
def atom_feed(feed_token: str, session: SessionDep) -> Response:
    user = feed.user_for_feed(session, feed_token)
    if user is None:
        raise not_found("feed")
    return Response(feed.atom(session, user, feed_token), media_type="application/atom+xml")
