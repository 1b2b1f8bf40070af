"""Entra ID side: app registration, Graph grants, certificate credential, service user, bot."""
