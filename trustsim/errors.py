"""The exception types the CLI shows in one line, without a traceback."""


class UserError(ValueError):
    """A bad parameter, name or file given by the user; the message says what is allowed."""


class SweepStopped(RuntimeError):
    """A sweep stopped for a cause outside the user's input (a lost Dask scheduler or worker).

    Every finished part is kept; the message says how to resume.
    """
