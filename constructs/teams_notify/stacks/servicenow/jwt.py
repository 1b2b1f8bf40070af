"""Certificate prerequisite 3: the JWT provider and its claims (aud, iss, sub adopted; x5t ours)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from constructs import Construct
from teams_notify.entra_endpoints import token_url
from teams_notify.stacks.servicenow.fields import DEFAULT_NAME_PREFIX, InstanceNames, servicenow_default
from teams_notify.stacks.servicenow.keystore import JwtKey
from teams_notify.stacks.servicenow.record import ServicenowRecord, catalog_record
from teams_notify.stacks.steps import PREREQ_JWT_PROVIDER, Step


@dataclass(frozen=True)
class JwtProviderProps:
    """What `JwtProvider` writes.

    - `active_key`: the `JwtKey` the provider signs with; the x5t claim is that key's x5t.
    - `client_id`: the Entra app's client id (iss and sub claims): a value or a reference.
    - `tenant_id`: the Entra tenant id (the aud claim is its v2 token endpoint).
    - `expiry_seconds`: the assertion's lifetime; default 300 (tenant config's default).
    - `name_prefix`: starts the provider's name; default "Teams Notify".
    - `names`: the instance's names of `jwt_provider` and `jwt_claim_validation`; default:
      the catalog's.
    """

    TABLES: ClassVar[tuple[str, ...]] = ("jwt_provider", "jwt_claim")

    active_key: JwtKey
    client_id: str
    tenant_id: str
    expiry_seconds: int = servicenow_default("jwt_expiry_seconds")
    name_prefix: str = DEFAULT_NAME_PREFIX
    names: InstanceNames = field(default_factory=lambda: InstanceNames.catalog(*JwtProviderProps.TABLES))


class JwtProvider(Step):
    """`jwt_provider` signing with the active key, plus `jwt_claim_validation` rows.

    The instance creates aud/iss/sub itself when a provider is saved, so those rows are adopted
    (match on provider + name) and restored on destroy; the custom x5t claim is created.
    """

    step = PREREQ_JWT_PROVIDER

    def __init__(self, scope: Construct, id_: str, props: JwtProviderProps) -> None:
        super().__init__(scope, id_)
        names = props.names
        client_id = props.client_id
        self.record = catalog_record(
            self,
            "record",
            names,
            "jwt_provider",
            name=f"{props.name_prefix} JWT provider",
            jwt_keystore_alias=props.active_key.record.sys_id,
            expiry_interval=props.expiry_seconds,
        )
        standard = {"aud": token_url(props.tenant_id), "iss": client_id, "sub": client_id}
        self.claims: dict[str, ServicenowRecord] = {}
        for name, claim_value in standard.items():
            self.claims[name] = self._claim(names, name, claim_value, standard=True)
        self.claims["x5t"] = self._claim(names, "x5t", props.active_key.x5t, standard=False)

    def _claim(
        self, names: InstanceNames, name: str, claim_value: str, *, standard: bool
    ) -> ServicenowRecord:
        return catalog_record(
            self,
            f"claim_{name}",
            names,
            "jwt_claim",
            adopt_on=("jwt_provider", "name") if standard else (),
            jwt_provider=self.record.sys_id,
            name=name,
            value=claim_value,
            is_standard=standard,
            data_type="string",
        )
