"""Entry point Terraform starts: `python -m terraform_provider_servicenow` (via the installed wrapper)."""

from __future__ import annotations

import logging
import sys


def main() -> None:
    """Serve the provider over Terraform's plugin protocol until Terraform stops it."""
    from tf.runner import run_provider

    from terraform_provider_servicenow.provider import ServiceNowProvider

    # Terraform copies a plugin's stderr into its own log (TF_LOG), so retries and token refreshes
    # are visible there. Never bodies or headers: see client.py.
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="[%(levelname)s] servicenow: %(message)s"
    )
    run_provider(ServiceNowProvider(), sys.argv)


if __name__ == "__main__":
    main()
