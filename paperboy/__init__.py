"""Paperboy: a self-hostable Daily Papers platform."""
