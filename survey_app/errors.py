"""The error every layer of the app raises for a user's mistake."""


class UserError(ValueError):
    """A user error with a Chinese message; nothing was changed."""
