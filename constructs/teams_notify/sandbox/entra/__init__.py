"""A local Microsoft Entra ID and Microsoft Graph for tests and demos (docs/sandbox.md).

from teams_notify.sandbox.entra import EntraSandbox, EntraState, TenantState, EntraApp, EntraUser
state = EntraState(tenants={tid: TenantState(apps=[EntraApp(client_id, "app", [pem], ["User.Read.All"])],
                                             users=[EntraUser(oid, "svc@contoso.com", "Svc")])})
with EntraSandbox(state=state) as entra:
    entra.url, entra.ca_file   # authority host + Graph base URL; the CA to trust
"""

from teams_notify.sandbox.entra.directory import EntraApp, EntraState, EntraUser, TenantState
from teams_notify.sandbox.entra.entra_server import EntraSandbox
from teams_notify.sandbox.entra.stack_state import load_entra_stack

__all__ = ["EntraApp", "EntraSandbox", "EntraState", "EntraUser", "TenantState", "load_entra_stack"]
