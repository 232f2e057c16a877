"""A test certificate authority and HTTPS receivers signed by it (made per test run, with
``cryptography``): real TLS on 127.0.0.1, verified by the sender like any public one."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.server
import ipaddress
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from platform_common.testing.http import serving


@dataclass(frozen=True)
class Authority:
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    def write_bundle(self, path: Path) -> Path:
        path.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))
        return path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _validity(builder: x509.CertificateBuilder) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return builder.not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(
        now + datetime.timedelta(days=1)
    )


def authority_create(name: str = "Platform Test CA") -> Authority:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        _validity(x509.CertificateBuilder())
        .subject_name(_name(name))
        .issuer_name(_name(name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(key=key, certificate=certificate)


def server_context(authority: Authority, *, host: str, directory: Path) -> ssl.SSLContext:
    """A server context with a certificate for ``host`` (a name, and 127.0.0.1) issued by
    ``authority``."""
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        _validity(x509.CertificateBuilder())
        .subject_name(_name(host))
        .issuer_name(authority.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(host), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
        .sign(authority.key, hashes.SHA256())
    )
    chain = directory / f"{host}.pem"
    chain.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain)
    return context


def signature_valid(*, secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver checks, written from the documented scheme (not the sender's code):
    ``Webhook-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``, recent."""
    fields = dict(part.split("=", 1) for part in headers.get("Webhook-Signature", "").split(","))
    if "t" not in fields or "v1" not in fields or fields["t"] != headers.get("Webhook-Timestamp"):
        return False
    if abs(time.time() - int(fields["t"])) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(fields["v1"], expected.hexdigest())


SIGNATURE_TOLERANCE_SECONDS = 300


@dataclass
class HttpsReceiver:
    """What the receiver saw; ``statuses`` are answered in turn (the last one repeats).
    With ``secret`` set it checks each signature and answers 401 to a wrong one."""

    port: int
    statuses: list[int]
    secret: str | None = None
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, host: str = "localhost") -> str:
        return f"https://{host}:{self.port}/hook"


@contextmanager
def https_receiver(context: ssl.SSLContext, *, statuses: list[int]) -> Iterator[HttpsReceiver]:
    """A real HTTPS server on 127.0.0.1 recording each POST (headers, body)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            headers = dict(self.headers)
            with state.lock:
                state.requests.append((headers, body))
                status = state.statuses[min(len(state.requests), len(state.statuses)) - 1]
                if state.secret is not None and not signature_valid(
                    secret=state.secret, headers=headers, body=body
                ):
                    status = 401
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def get_request(self) -> tuple[ssl.SSLSocket, object]:
            connection, address = self.socket.accept()
            return context.wrap_socket(connection, server_side=True), address

        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a refused handshake (the sender distrusts us) is expected in some tests

    server = Server(("127.0.0.1", 0), Handler)
    state = HttpsReceiver(port=server.server_address[1], statuses=statuses)
    with serving(server):
        yield state
