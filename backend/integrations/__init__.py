"""Connectors to outside services (WeChat); no web framework imports here."""
