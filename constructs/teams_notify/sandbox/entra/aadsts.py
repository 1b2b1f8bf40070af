"""The errors the local Entra answers with, in Entra's JSON shape and with its AADSTS codes.

Codes, `error` values and HTTP statuses follow the Microsoft Entra error-code reference
(learn.microsoft.com, "Microsoft Entra authentication and authorization error codes"). The
description texts are shortened paraphrases of what Entra prints: match on the code, never on
the text (Microsoft says the same about its own messages).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

TENANT_NOT_FOUND = 90002
MISSING_PARAMETER = 900144
MALFORMED_JWT = 50027
INVALID_ASSERTION = 50013
UNKNOWN_CLIENT = 700016
ISSUER_MISMATCH = 700021
AUDIENCE_MISMATCH = 700023
OUTSIDE_TIME_RANGE = 700024
BAD_KEY = 700027
SECRET_SENT = 7000215
NO_CREDENTIAL = 7000218
UNSUPPORTED_GRANT = 70003
BAD_SCOPE = 1002012
UNKNOWN_RESOURCE = 500011

# code -> (OAuth "error", HTTP status), as Entra answers on the v2 token endpoint.
_KINDS: dict[int, tuple[str, int]] = {
    TENANT_NOT_FOUND: ("invalid_request", 400),
    MISSING_PARAMETER: ("invalid_request", 400),
    MALFORMED_JWT: ("invalid_request", 400),
    # Entra publishes no dedicated code for a replayed client assertion; it answers with the
    # generic "invalid assertion" code, which we use too (an assumption, see docs/sandbox.md).
    INVALID_ASSERTION: ("invalid_client", 401),
    UNKNOWN_CLIENT: ("unauthorized_client", 400),
    ISSUER_MISMATCH: ("invalid_client", 401),
    AUDIENCE_MISMATCH: ("invalid_client", 401),
    OUTSIDE_TIME_RANGE: ("invalid_client", 401),
    BAD_KEY: ("invalid_client", 401),
    SECRET_SENT: ("invalid_client", 401),
    NO_CREDENTIAL: ("invalid_client", 401),
    UNSUPPORTED_GRANT: ("unsupported_grant_type", 400),
    BAD_SCOPE: ("invalid_scope", 400),
    UNKNOWN_RESOURCE: ("invalid_resource", 400),
}


class AadstsError(Exception):
    """Stops a token or discovery request with Entra's error answer for `code`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"AADSTS{code}: {message}")
        self.code = code
        self.message = message

    @property
    def status(self) -> int:
        return _KINDS[self.code][1]

    def body(self, authority: str, now: datetime | None = None) -> dict[str, object]:
        """Entra's error body: error, error_description (with trace/correlation/timestamp lines),
        error_codes, timestamp, trace_id, correlation_id, error_uri."""
        moment = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%SZ")
        trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
        description = (
            f"AADSTS{self.code}: {self.message}\r\nTrace ID: {trace_id}\r\n"
            f"Correlation ID: {correlation_id}\r\nTimestamp: {moment}"
        )
        return {
            "error": _KINDS[self.code][0],
            "error_description": description,
            "error_codes": [self.code],
            "timestamp": moment,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"{authority}/error?code={self.code}",
        }
