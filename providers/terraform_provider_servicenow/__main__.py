"""Entry point Terraform starts: `python -m terraform_provider_servicenow`."""

from __future__ import annotations


def main() -> None:
    raise SystemExit("not implemented yet")


if __name__ == "__main__":
    main()
