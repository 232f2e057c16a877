"""Logs, correlation ids and metrics shared by every process."""
