"""The one exception type for user mistakes, shown without a traceback by the CLI."""


class UserError(ValueError):
    """A bad parameter, name or file given by the user; the message says what is allowed."""
