"""Certificate prerequisite 3: the JWT provider and its claims (aud, iss, sub adopted; x5t ours)."""

from __future__ import annotations

from constructs import Construct
from teams_notify.config import TenantConfig
from teams_notify.entra_endpoints import token_url
from teams_notify.stacks.servicenow.fields import x5t_placeholder
from teams_notify.stacks.servicenow.keystore import JwtKey
from teams_notify.stacks.servicenow.record import ServicenowRecord, catalog_record
from teams_notify.stacks.steps import PREREQ_JWT_PROVIDER, Step


class JwtProvider(Step):
    """`jwt_provider` signing with the active key, plus `jwt_claim_validation` rows.

    The instance creates aud/iss/sub itself when a provider is saved, so those rows are adopted
    (match on provider + name) and restored on destroy; the custom x5t claim is created.
    """

    step = PREREQ_JWT_PROVIDER

    def __init__(
        self, scope: Construct, id_: str, *, tenant: TenantConfig, active_key: JwtKey, client_id: str
    ) -> None:
        super().__init__(scope, id_)
        self.record = catalog_record(
            self,
            "record",
            tenant,
            "jwt_provider",
            name=f"{tenant.servicenow.name_prefix} JWT provider",
            jwt_keystore_alias=active_key.record.sys_id,
            expiry_interval=tenant.servicenow.jwt_expiry_seconds,
        )
        standard = {"aud": token_url(tenant.tenant_id), "iss": client_id, "sub": client_id}
        self.claims: dict[str, ServicenowRecord] = {}
        for name, claim_value in standard.items():
            self.claims[name] = self._claim(tenant, name, claim_value, standard=True)
        self.claims["x5t"] = self._claim(
            tenant, "x5t", x5t_placeholder(tenant.active_certificate.key), standard=False
        )

    def _claim(
        self, tenant: TenantConfig, name: str, claim_value: str, *, standard: bool
    ) -> ServicenowRecord:
        return catalog_record(
            self,
            f"claim_{name}",
            tenant,
            "jwt_claim",
            adopt_on=("jwt_provider", "name") if standard else (),
            jwt_provider=self.record.sys_id,
            name=name,
            value=claim_value,
            is_standard=standard,
            data_type="string",
        )
