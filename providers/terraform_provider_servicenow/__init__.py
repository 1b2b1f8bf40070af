"""Terraform provider for ServiceNow records and attachments (plugin protocol 6, `tf` framework)."""

__version__ = "0.1.0"
