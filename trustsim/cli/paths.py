"""Output paths of the commands, checked before any work so that no result is lost to them."""

from __future__ import annotations

import tempfile
from pathlib import Path

from trustsim.errors import UserError


def check_output_dir(path: Path, *, option: str = "--out", force: bool = False) -> None:
    """Check that ``path`` is, or can be created as, a writable, empty directory.

    Args:
        path: The directory.
        option: The option that named it, for messages.
        force: Allow a directory that already holds files (they may be overwritten).

    Raises:
        UserError: ``path`` or a parent is a file, it cannot be written, or it is not empty
            and ``force`` is not set.
    """
    if path.exists() and not path.is_dir():
        raise UserError(f"{option} {path}: is a file, not a directory; choose another {option}")
    _check_writable_parent(path, option)
    if path.is_dir() and any(path.iterdir()) and not force:
        raise UserError(
            f"{option} {path}: directory is not empty; add --force to overwrite its files, or "
            f"choose another {option}"
        )


def check_output_file(path: Path, *, option: str = "--out") -> None:
    """Check that the file ``path`` can be written: its folder exists or can be made.

    Raises:
        UserError: A parent is a file, ``path`` is a directory, or it cannot be written.
    """
    if path.is_dir():
        raise UserError(f"{option} {path}: is a directory; give a file name")
    _check_writable_parent(path.parent if str(path.parent) else Path("."), option, path)


def _check_writable_parent(path: Path, option: str, target: Path | None = None) -> None:
    """The nearest existing ancestor of ``path`` must be a writable directory."""
    existing = path
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    name = target or path
    if not existing.is_dir():
        raise UserError(f"{option} {name}: {existing} is a file, not a directory")
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        raise UserError(f"{option} {name}: cannot write in {existing} ({err.strerror})") from None
