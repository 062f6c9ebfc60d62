"""A real SMTP server on loopback (aiosmtpd) and the app pointed at it, for the tests."""
import email
import socket
from dataclasses import dataclass, field
from email import policy

import pytest
from aiosmtpd.controller import Controller

from webapp.extensions import mail as flask_mail

SENDER = "portail-famille@mairie.test"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_content().replace("\r\n", "\n")  # CRLF on the wire


@dataclass
class Inbox:
    """aiosmtpd handler: keeps every message it accepts, parsed."""

    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)

    async def handle_RCPT(self, _server, _session, envelope, address, _options):
        if address in self.refused:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A running SMTP server; `smtp_server.port`, `smtp_server.handler.received`."""
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def use_mail_server(app, monkeypatch):
    """`use_mail_server(port)`: point the app's Flask-Mail at 127.0.0.1:port for this test only."""

    def configure(port: int, server: str = "127.0.0.1") -> None:
        for key, value in {
            "MAIL_SERVER": server, "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
            "MAIL_USERNAME": None, "MAIL_PASSWORD": None, "MAIL_DEFAULT_SENDER": SENDER,
            "MAIL_SUPPRESS_SEND": False, "MAIL_TIMEOUT": 5,
        }.items():
            monkeypatch.setitem(app.config, key, value)
        monkeypatch.setitem(app.extensions, "mail", flask_mail.init_mail(app.config))

    return configure


