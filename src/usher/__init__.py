"""usher: a self-hosted account and authentication service."""

__version__ = "0.1.0"
