"""The doctor: read what is on the instance, rebuild the client assertion ServiceNow will send,
exchange it at Entra with msal, and name the broken link with its fix (docs/doctor.md)."""

from teams_notify.doctor.cloud_endpoints import Endpoints, endpoints_from
from teams_notify.doctor.outcome import Check
from teams_notify.doctor.runner import DoctorOptions, DoctorReport, run_doctor

__all__ = ["Check", "DoctorOptions", "DoctorReport", "Endpoints", "endpoints_from", "run_doctor"]
