"""Entry point Terraform starts: `python -m terraform_provider_servicenow` (via the installed wrapper)."""

from __future__ import annotations

import gc
import logging
import os
import sys


def main() -> None:
    """Serve the provider over Terraform's plugin protocol until Terraform stops it."""
    # Terraform starts this process 3-4 times per command. The start-up imports allocate a few
    # hundred thousand objects and no garbage: with the collector off they cost ~4 % fewer
    # instructions. Then the imported objects are frozen, so later collections never scan them.
    gc.disable()
    import grpc  # noqa: F401 - serve() imports these too; here they load with the collector off
    import tf.provider  # noqa: F401

    from terraform_provider_servicenow.provider import ServiceNowProvider
    from terraform_provider_servicenow.serve import serve

    gc.freeze()
    gc.enable()

    # Terraform copies a plugin's stderr into its own log (TF_LOG), so retries and token refreshes
    # are visible there. Never bodies or headers: see client.py.
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="[%(levelname)s] servicenow: %(message)s"
    )
    serve(ServiceNowProvider())
    # Terraform waits for the process to end; an interpreter shutdown with gRPC's threads still
    # winding down only adds to that wait. Everything worth keeping has been written.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
