"""A local SMTP server's inbox (aiosmtpd), for the e-mail digests."""

from __future__ import annotations

import email
import email.policy
from typing import Any


class Inbox:
    """What a local SMTP server (aiosmtpd) received."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"

    def env(self) -> dict[str, str]:
        """The LIR_SMTP_* settings that send a deployment's digests here."""
        return {"LIR_SMTP_HOST": "127.0.0.1", "LIR_SMTP_PORT": str(self.port),
                "LIR_SMTP_STARTTLS": "0"}  # fmt: skip
