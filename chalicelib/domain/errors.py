"""Domain exceptions: plain Python, translated to problem details at the HTTP edge only."""


class DomainError(Exception):
    """Base of every rule violation a caller can cause (never a bug, never an outage)."""


class NotFound(DomainError):
    """The resource does not exist, or the caller may not know that it does."""


class Conflict(DomainError):
    """The request contradicts what is already stored (e.g. same id, other body)."""


class Forbidden(DomainError):
    """The caller is authenticated but this credential does not grant the action."""


class Unauthorized(DomainError):
    """No valid credential was presented."""


class InvalidSignature(DomainError):
    """A signed payload (webhook, token) failed verification or is too old."""


class InvalidToken(DomainError):
    """A promise or customer token is malformed, forged or expired."""


class NotDelivered(DomainError):
    """The action needs at least one delivered parcel."""


class AlreadyRated(DomainError):
    """The rating can no longer be changed."""


class ReturnNotAllowed(DomainError):
    """The return request breaks the return policy; carries one error per refused item."""

    def __init__(self, message: str, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class IllegalTransition(DomainError):
    """A status change that the status table does not allow."""


class MalformedJson(DomainError):
    """The body is not JSON at all, or nests deeper than the parser's limit (400, not 422)."""


class InvalidInput(DomainError):
    """Input that passed schema validation but breaks a rule; carries pydantic-style errors."""

    def __init__(self, message: str, errors: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class NotRecorded(DomainError):
    """A declaration that must be stored could not be (the table refused or did not answer):
    the caller is told it was not received (503), never shown a confirmation."""
