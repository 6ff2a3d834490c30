"""Services own the transactions; views and CLI commands call them."""


class ServiceError(ValueError):
    """A user error with a Chinese message; nothing was changed."""
