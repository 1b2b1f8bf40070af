"""Microsoft Graph facts (DESIGN.md "Facts"): its app id and the 5 application roles Notify needs."""

from __future__ import annotations

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"

# permission -> app role id (application permissions, not delegated scopes)
GRAPH_APP_ROLES: dict[str, str] = {
    "User.Read.All": "df021288-bdef-4463-88db-98f22de89214",
    "OnlineMeetings.ReadWrite.All": "b8bb2037-6e08-44ac-a4ea-4674e010e2a4",
    "Calls.InitiateGroupCall.All": "4c277553-8a09-487b-8023-29ee378d8324",
    "Calls.JoinGroupCall.All": "f6b49018-60ab-4f81-83bd-22caeabfed2d",
    "Calls.JoinGroupCallAsGuest.All": "fd7ccf6b-3d28-418b-9701-cd10f5cd2fd4",
}
