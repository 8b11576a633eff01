"""The one exception the front end reports as a clear message and a non-zero exit."""


class UserError(Exception):
    """A problem the user can fix: bad argument, missing build, bad experiment file."""
