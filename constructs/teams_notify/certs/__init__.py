"""Certificates for the integration: keys, self-signed or CA-issued certificates, the JKS for
ServiceNow, and the thumbprints (x5t) Entra checks. See docs/certs.md."""

from teams_notify.certs.bundle import Bundle, new_self_signed, write_bundle
from teams_notify.certs.check import Inspection, check_bundle, inspect_files
from teams_notify.certs.findings import Finding
from teams_notify.certs.jks import JksEntry, jks_certificate, jks_private_key, parse_jks, read_jks
from teams_notify.certs.load import KeyAndChain, load_certificate, load_private_key
from teams_notify.certs.thumbprint import Thumbprints

__all__ = [
    "Bundle",
    "Finding",
    "Inspection",
    "JksEntry",
    "KeyAndChain",
    "Thumbprints",
    "check_bundle",
    "inspect_files",
    "jks_certificate",
    "jks_private_key",
    "load_certificate",
    "load_private_key",
    "new_self_signed",
    "parse_jks",
    "read_jks",
    "write_bundle",
]
