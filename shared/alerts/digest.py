"""The e-mail digest of one run's new matches, with a one-click unsubscribe link."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from shared.db.models import SavedSearch, User
from shared.settings import get_settings

log = logging.getLogger(__name__)


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret_key.get_secret_value(), salt="unsubscribe")


def unsubscribe_token(saved_search_id: int) -> str:
    return str(_signer().dumps({"saved_search": saved_search_id}))


def saved_search_for(token: str) -> int | None:
    try:
        data = _signer().loads(token)
    except BadSignature:
        return None
    return int(data["saved_search"]) if isinstance(data, dict) and "saved_search" in data else None


def unsubscribe_url(saved_search_id: int) -> str:
    return (
        f"{get_settings().public_url.rstrip('/')}/unsubscribe/{unsubscribe_token(saved_search_id)}"
    )


def digest_message(user: User, saved: SavedSearch, items: list[dict[str, Any]]) -> EmailMessage:
    settings = get_settings()
    link = unsubscribe_url(saved.id)
    lines = [f"{len(items)} new match(es) for your saved search “{saved.name}”:", ""]
    for it in items:
        p = it["posting"]
        who = " at ".join(x for x in (p.get("title"), p.get("company")) if x)
        lines += [f"- {who} (predicted {it['expected_score']:.1f} of 3)", f"  {p.get('url')}"]
    lines += ["", f"Stop these e-mails: {link}"]
    msg = EmailMessage()
    msg["From"], msg["To"] = settings.smtp_from, user.email
    msg["Subject"] = f"{len(items)} new match(es): {saved.name}"
    msg["List-Unsubscribe"] = f"<{link}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content("\n".join(lines))
    return msg


def send_digest(session: Session, saved: SavedSearch, items: list[dict[str, Any]]) -> bool:
    """True when the message left. A mail server that is down costs the e-mail, never the
    run: the matches and notifications are kept and the job result says so."""
    settings = get_settings()
    user = session.get(User, saved.user_id)
    if not settings.smtp_host or user is None:
        return False
    msg = digest_message(user, saved, items)
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("digest for saved search %s not sent: %s", saved.id, exc)
        return False
    return True
