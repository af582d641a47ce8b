"""himdesk — an open-source health information management workstation."""

__version__ = "0.1.0"
