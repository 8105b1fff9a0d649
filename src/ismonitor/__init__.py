"""ismonitor: measure internal social media in organisations."""

__version__ = "0.1.0"
