"""teams-notify: the ServiceNow Notify connector for Microsoft Teams, as code."""

__version__ = "0.1.0"
