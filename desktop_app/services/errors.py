"""Errors a service raises for a person to read (messages in Japanese)."""


class ServiceError(Exception):
    """An operation refused for a reason the user can act on."""


class AuthError(ServiceError):
    """Wrong staff number or PIN, or an officer who may not do this."""


class NotAllowed(ServiceError):
    """The row's state does not allow the operation."""
