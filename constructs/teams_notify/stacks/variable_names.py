"""Names of the stacks' secret Terraform variables (set as `TF_VAR_<name>`).

Free of CDK imports: the doctor reads the same variables from the environment without
starting the CDK runtime.
"""

from __future__ import annotations


def keystore_password_variable(cert_key: str) -> str:
    """Terraform variable (export TF_VAR_<name>) holding a keystore's store password."""
    return f"keystore_password_{cert_key}"


def key_password_variable(cert_key: str) -> str:
    """Terraform variable for the key entry password; empty means "same as the store password"."""
    return f"key_password_{cert_key}"
