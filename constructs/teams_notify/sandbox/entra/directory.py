"""What the local Entra knows: tenants, their app registrations (certificates, granted Graph
roles) and users, kept as a JSON state file.

    {"replication_delay_seconds": 0, "accept_standard_base64_x5t": false, "reject_replayed_jti": true,
     "tenants": {"<tenant id>": {"domains": ["contoso.onmicrosoft.com"],
                                 "apps": [{"client_id", "display_name", "certificates": [PEM...],
                                           "granted_roles": ["User.Read.All", ...]}],
                                 "users": [{"id", "user_principal_name", "display_name"}]}}}
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from teams_notify.errors import BadInputError


@dataclass
class EntraUser:
    id: str
    user_principal_name: str
    display_name: str = ""


@dataclass
class EntraApp:
    client_id: str
    display_name: str = ""
    certificates: list[str] = field(default_factory=list)  # PEM, one certificate each
    granted_roles: list[str] = field(default_factory=list)  # Graph application permission names


@dataclass
class TenantState:
    apps: list[EntraApp] = field(default_factory=list)
    users: list[EntraUser] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)  # other names the tenant answers to

    def app(self, client_id: str) -> EntraApp | None:
        return next((a for a in self.apps if a.client_id.lower() == client_id.lower()), None)

    def user(self, id_or_upn: str) -> EntraUser | None:
        key = id_or_upn.lower()
        return next((u for u in self.users if key in (u.id.lower(), u.user_principal_name.lower())), None)

    def merge(self, other: TenantState) -> None:
        """Add or replace `other`'s apps and users (by client id / object id) and its domains."""
        for app in other.apps:
            self.apps = [a for a in self.apps if a.client_id.lower() != app.client_id.lower()] + [app]
        for user in other.users:
            self.users = [u for u in self.users if u.id.lower() != user.id.lower()] + [user]
        self.domains += [d for d in other.domains if d.lower() not in {x.lower() for x in self.domains}]


@dataclass
class EntraState:
    tenants: dict[str, TenantState] = field(default_factory=dict)
    # A certificate the server has not seen before is accepted only this many seconds after it
    # first sees it, like Entra's replication delay after a new key credential (0 = at once).
    replication_delay_seconds: float = 0
    # Entra reads x5t as base64url (padding allowed). Whether it also takes the standard Base64
    # alphabet (`+`, `/`) is not documented; we reject it unless this is set.
    accept_standard_base64_x5t: bool = False
    # Reject a second token request with the same client assertion id (jti). msal reuses the
    # assertion it builds from a certificate for about 10 minutes, and whether Entra enforces
    # jti uniqueness is not documented: turn this off to let such reuse through.
    reject_replayed_jti: bool = True

    def tenant(self, id_or_domain: str) -> tuple[str, TenantState] | None:
        """The tenant named by its id (GUID) or one of its domains, case-insensitively."""
        key = id_or_domain.lower()
        for tenant_id, tenant in self.tenants.items():
            if key == tenant_id.lower() or key in (d.lower() for d in tenant.domains):
                return tenant_id, tenant
        return None

    def merge(self, other: EntraState) -> None:
        for tenant_id, tenant in other.tenants.items():
            found = self.tenant(tenant_id)
            if found is None:
                self.tenants[tenant_id] = tenant
            else:
                found[1].merge(tenant)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any, source: str = "the Entra state") -> EntraState:
        try:
            tenants = {
                str(tenant_id): TenantState(
                    apps=[EntraApp(**app) for app in tenant.get("apps", [])],
                    users=[EntraUser(**user) for user in tenant.get("users", [])],
                    domains=list(tenant.get("domains", [])),
                )
                for tenant_id, tenant in data.get("tenants", {}).items()
            }
            delay = float(data.get("replication_delay_seconds", 0))
            standard_x5t = bool(data.get("accept_standard_base64_x5t", False))
            replay = bool(data.get("reject_replayed_jti", True))
        except (AttributeError, TypeError, ValueError) as err:
            raise BadInputError(
                f"{source} does not have the Entra state shape: {err}",
                fix="write it with `teams-notify sandbox entra-load` or EntraState.save (docs/sandbox.md)",
            ) from None
        return cls(
            tenants=tenants,
            replication_delay_seconds=delay,
            accept_standard_base64_x5t=standard_x5t,
            reject_replayed_jti=replay,
        )

    def save(self, path: Path) -> None:
        """Write atomically (a running server may re-read the file at any moment)."""
        path = Path(path)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> EntraState:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise BadInputError(
                f"the Entra state file {path} does not exist",
                fix="create it with `teams-notify sandbox entra-load --stack DIR --state FILE`",
            ) from None
        except (OSError, ValueError) as err:
            raise BadInputError(
                f"cannot read the Entra state file {path}: {err}",
                fix="point --state at a JSON file written by `teams-notify sandbox entra-load`",
            ) from None
        return cls.from_json(data, source=f"the Entra state file {path}")
