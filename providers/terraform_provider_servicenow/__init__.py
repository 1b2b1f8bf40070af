"""Terraform provider for ServiceNow records and attachments (plugin protocol 6, `tf` framework)."""

__version__ = "0.1.0"

# The source address `required_providers` uses by default (see install.py); here so the provider
# process does not import the installer to learn it.
DEFAULT_SOURCE = "terraform.local/teams-notify/servicenow"
