"""Client authentication on the token endpoint, checked the way Entra checks a certificate
credential (private-key JWT, RFC 7523), each failure raising the AADSTS code Entra answers with.

Order (as Entra): client known (700016), no secret (7000215), an assertion (7000218), well-formed
(50027), a registered, replicated, unexpired certificate selected by x5t#S256, x5t or kid (700027),
signature (700027), aud (700023), iss = sub = client id (700021), exp/nbf within the skew
(700024), jti not seen before (50013).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from teams_notify.errors import BadInputError
from teams_notify.sandbox.entra import aadsts, jws
from teams_notify.sandbox.entra.directory import EntraApp, TenantState
from teams_notify.sandbox.entra.replication import Replication

CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CLOCK_SKEW_SECONDS = 300  # Entra tolerates 5 minutes of clock difference on exp and nbf
DOCS = (
    "Review the documentation at "
    "https://learn.microsoft.com/entra/identity-platform/certificate-credentials ."
)


@dataclass(frozen=True)
class RegisteredCertificate:
    """A key credential of an app: the certificate and the identifiers a client may name it by."""

    sha1: bytes
    sha256: bytes
    public_key: PublicKeyTypes
    not_before: dt.datetime
    not_after: dt.datetime

    @property
    def thumbprint(self) -> str:
        return self.sha1.hex().upper()

    def named_by(self, header: Mapping[str, object], standard_alphabet: bool = False) -> bool:
        """Whether the assertion header's x5t#S256, x5t or kid names this certificate (kid: the
        hex SHA-1 thumbprint Entra shows as the key's identifier, or the x5t value). Thumbprints
        are base64url, `=` padding allowed (msal sends it); standard Base64 only when allowed."""
        for name, digest in (("x5t#S256", self.sha256), ("x5t", self.sha1)):
            if name in header:
                return _decodes_to(header[name], digest, standard_alphabet)
        kid = str(header.get("kid", ""))
        return kid.upper() == self.thumbprint or _decodes_to(kid, self.sha1, standard_alphabet)


def _decodes_to(value: object, digest: bytes, standard_alphabet: bool) -> bool:
    try:
        return jws.b64url_decode(str(value), standard_alphabet=standard_alphabet) == digest
    except ValueError:
        return False


@functools.lru_cache(maxsize=256)
def registered_certificate(pem: str) -> RegisteredCertificate:
    try:
        cert = x509.load_pem_x509_certificate(pem.encode())
    except ValueError as err:
        raise BadInputError(
            f"an app certificate in the Entra state is not a PEM certificate: {err}",
            fix="put the certificate's PEM text (-----BEGIN CERTIFICATE-----...) in `certificates`",
        ) from None
    return RegisteredCertificate(
        cert.fingerprint(hashes.SHA1()),  # x5t is SHA-1 by definition (RFC 7515)
        cert.fingerprint(hashes.SHA256()),
        cert.public_key(),
        cert.not_valid_before_utc,
        cert.not_valid_after_utc,
    )


class ReplayCache:
    """Client assertion ids (jti) already used, kept until their assertion expires."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[tuple[str, str], float] = {}

    def first_use(self, client_id: str, jti: str, until: float, now: float) -> bool:
        with self._lock:
            self._used = {k: t for k, t in self._used.items() if t >= now}
            if (client_id, jti) in self._used:
                return False
            self._used[(client_id, jti)] = until
            return True


@dataclass(frozen=True)
class AssertionPolicy:
    """What the token endpoint of one tenant accepts."""

    tenant_id: str
    audiences: frozenset[str]  # token endpoint URLs accepted as `aud`, lower-case
    replication_delay: float
    standard_base64_thumbprints: bool  # accept x5t in the standard Base64 alphabet (+ and /)
    replication: Replication
    replay: ReplayCache | None  # None: a jti may be used again


def authenticate_client(form: Mapping[str, str], tenant: TenantState, policy: AssertionPolicy) -> EntraApp:
    """The app that signed the request's client assertion, or AadstsError saying why not."""
    now = time.time()
    app = _client(form, tenant, policy)
    if form.get("client_secret"):
        raise aadsts.AadstsError(
            aadsts.SECRET_SENT,
            f"Invalid client secret provided. Ensure the secret being sent in the request is the client "
            f"secret value, not the client secret ID, for a secret added to app '{app.client_id}'.",
        )
    assertion = form.get("client_assertion", "")
    if not assertion or form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
        raise aadsts.AadstsError(
            aadsts.NO_CREDENTIAL,
            "The request body must contain the following parameter: 'client_assertion' or "
            f"'client_secret' (with client_assertion_type '{CLIENT_ASSERTION_TYPE}').",
        )
    token = _parse(assertion)
    cert = _signing_certificate(token, app, policy, now)
    if not jws.verify(token, cert.public_key):
        raise _key_error(
            "Client assertion contains an invalid signature.",
            "The provided signature value did not match the expected signature value.",
            cert.thumbprint,
            app,
        )
    _check_audience(token.claims, policy)
    _check_issuer(token.claims, app)
    expires = _check_time(token.claims, now)
    jti = str(token.claims.get("jti", ""))
    if (
        jti
        and policy.replay
        and not policy.replay.first_use(app.client_id, jti, expires + CLOCK_SKEW_SECONDS, now)
    ):
        raise aadsts.AadstsError(
            aadsts.INVALID_ASSERTION,
            f"The client assertion with jti '{jti}' was already used; a client assertion is valid "
            "for one token request only.",
        )
    return app


def _client(form: Mapping[str, str], tenant: TenantState, policy: AssertionPolicy) -> EntraApp:
    client_id = form.get("client_id", "")
    if not client_id:
        raise aadsts.AadstsError(
            aadsts.MISSING_PARAMETER, "The request body must contain the following parameter: 'client_id'."
        )
    app = tenant.app(client_id)
    if app is None:
        raise aadsts.AadstsError(
            aadsts.UNKNOWN_CLIENT,
            f"Application with identifier '{client_id}' was not found in the directory "
            f"'{policy.tenant_id}'. This can happen if the application has not been installed by the "
            "administrator of the tenant or consented to by any user in the tenant.",
        )
    return app


def _parse(assertion: str) -> jws.Jws:
    try:
        return jws.parse(assertion)
    except jws.MalformedTokenError as err:
        raise aadsts.AadstsError(aadsts.MALFORMED_JWT, f"JWT token is invalid or malformed: {err}.") from None


def _used_thumbprint(header: Mapping[str, object]) -> str:
    """The thumbprint Entra prints: the decoded x5t as hex, else the raw identifier."""
    for name in ("x5t#S256", "x5t"):
        if name in header:
            try:
                return jws.b64url_decode(str(header[name]), standard_alphabet=True).hex().upper()
            except ValueError:
                return str(header[name])
    return str(header.get("kid", ""))


def _key_error(summary: str, reason: str, thumbprint: str, app: EntraApp) -> aadsts.AadstsError:
    return aadsts.AadstsError(
        aadsts.BAD_KEY,
        f"{summary} [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}', Please visit "
        f"the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id "
        f"'{app.client_id}'.]",
    )


def _signing_certificate(
    token: jws.Jws, app: EntraApp, policy: AssertionPolicy, now: float
) -> RegisteredCertificate:
    header = token.header
    used = _used_thumbprint(header)
    if header.get("alg") not in jws.ALGORITHMS:
        raise _key_error(
            "Client assertion contains an invalid signature.",
            f"The signing algorithm '{header.get('alg')}' is not supported (use RS256 or PS256).",
            used,
            app,
        )
    if not any(name in header for name in ("x5t#S256", "x5t", "kid")):
        raise _key_error(
            "Client assertion failed signature validation.",
            "The assertion header names no key: it needs x5t (or x5t#S256 or kid).",
            used,
            app,
        )
    certs = [registered_certificate(pem) for pem in app.certificates]
    cert = next((c for c in certs if c.named_by(header, policy.standard_base64_thumbprints)), None)
    if cert is None or not policy.replication.ready(cert.sha1, policy.replication_delay, now):
        raise _key_error(
            "The certificate with identifier used to sign the client assertion is not registered on "
            "application.",
            "The key was not found.",
            used,
            app,
        )
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    if not cert.not_before <= moment <= cert.not_after:
        raise _key_error(
            "Client assertion contains an invalid signature.",
            f"The key used is expired or not yet valid (valid {cert.not_before:%Y-%m-%dT%H:%M:%SZ} to "
            f"{cert.not_after:%Y-%m-%dT%H:%M:%SZ}).",
            used,
            app,
        )
    return cert


def _check_audience(claims: Mapping[str, object], policy: AssertionPolicy) -> None:
    aud = claims.get("aud")
    values = aud if isinstance(aud, list) else [aud]
    if not any(isinstance(v, str) and v.lower().rstrip("/") in policy.audiences for v in values):
        raise aadsts.AadstsError(
            aadsts.AUDIENCE_MISMATCH,
            f"Client assertion audience claim does not match Realm issuer. The audience was '{aud}', "
            f"expected the token endpoint of tenant '{policy.tenant_id}'. {DOCS}",
        )


def _check_issuer(claims: Mapping[str, object], app: EntraApp) -> None:
    for claim in ("iss", "sub"):
        if str(claims.get(claim, "")).lower() != app.client_id.lower():
            raise aadsts.AadstsError(
                aadsts.ISSUER_MISMATCH,
                f"Client assertion application identifier doesn't match 'client_id' parameter "
                f"('{claim}' is '{claims.get(claim)}', client_id is '{app.client_id}'). {DOCS}",
            )


def _timestamp(claims: Mapping[str, object], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise aadsts.AadstsError(
            aadsts.MALFORMED_JWT, f"JWT token is invalid or malformed: '{name}' is not a number."
        )
    return float(value)


def _check_time(claims: Mapping[str, object], now: float) -> float:
    """The assertion's expiry, after checking exp (required) and nbf (optional) with the skew."""
    expires = _timestamp(claims, "exp")
    not_before = _timestamp(claims, "nbf")
    if expires is None:
        raise aadsts.AadstsError(aadsts.MALFORMED_JWT, "JWT token is invalid or malformed: no 'exp' claim.")
    if expires + CLOCK_SKEW_SECONDS < now or (not_before or now) - CLOCK_SKEW_SECONDS > now:
        shown = ", ".join(
            f"{label} {_iso(value)}"
            for label, value in (("assertion valid from", not_before), ("expiry time of assertion", expires))
            if value is not None
        )
        raise aadsts.AadstsError(
            aadsts.OUTSIDE_TIME_RANGE,
            f"Client assertion is not within its valid time range. Current time: {_iso(now)}, "
            f"{shown}. {DOCS}",
        )
    return expires


def _iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
