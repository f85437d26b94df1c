"""The error of a backup or restore that cannot go ahead."""


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message is one line for the operator."""
