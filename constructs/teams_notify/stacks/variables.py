"""Terraform input variables of the stacks, declared one way.

Secrets (store and key passwords, the service user's password, a JKS sent as content) are
sensitive variables without a default, fed from `TF_VAR_<name>`: they never reach `cdk.tf.json`.
"""

from __future__ import annotations

from constructs import Construct
from teams_notify.stacks.compat import TerraformVariable


def string_variable(scope: Construct, name: str, description: str, default: str | None = None) -> str:
    """A plain string variable (a reference to it); `default` None means the user must set it."""
    variable = TerraformVariable(scope, name, type="string", default=default, description=description)
    return str(variable.string_value)


def secret_variable(scope: Construct, name: str, what: str, default: str | None = None) -> str:
    """A sensitive string variable whose description tells where it comes from (TF_VAR_<name>)."""
    variable = TerraformVariable(
        scope,
        name,
        type="string",
        sensitive=True,
        default=default,
        description=f"{what} (export TF_VAR_{name})",
    )
    return str(variable.string_value)
