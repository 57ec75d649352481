"""`ctrl+e` in a long text field: the text is written in the user's own editor, as git does it —
`$VISUAL`, else `$EDITOR`, else `vi`, the value read by the shell (`sh -c '$EDITOR "$@"'`), so
`EDITOR="code --wait"` works. The app hands the terminal over (Textual's `App.suspend`) until
the editor ends; the text goes through a file only the user can read (0600 in a fresh 0700
folder), removed afterwards. An editor that fails or cannot be found leaves the field as it was,
with a notice saying why."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from textual.app import App, SuspendNotSupported

from cache.private_files import FILE_MODE
from widgets.plain import visible
from widgets.text_entry import EditInEditor

FALLBACK_EDITOR = "vi"


class EditorFailed(Exception):
    """The editor did not give the text back: the sentence says why."""


def editor_command(env: Mapping[str, str]) -> str:
    """The user's editor as git chooses it: $VISUAL, else $EDITOR, else vi (an empty one is
    not set)."""
    for name in ("VISUAL", "EDITOR"):
        value = env.get(name, "").strip()
        if value:
            return value
    return FALLBACK_EDITOR


def edit_text(text: str, name: str, env: Mapping[str, str]) -> str:
    """Run the editor on `text` (in a file named after field `name`); the text it leaves."""
    editor = editor_command(env)
    folder = Path(tempfile.mkdtemp(prefix="msp-tickets-edit-"))  # 0700, made for this edit only
    try:
        path = folder / f"{''.join(c if c.isalnum() else '-' for c in name)}.txt"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            ended = subprocess.run(["sh", "-c", f'{editor} "$@"', editor, str(path)], env=dict(env), check=False)
        except OSError as error:
            raise EditorFailed(f"The editor could not be started ({error.strerror}).") from None
        if ended.returncode != 0:
            raise EditorFailed(f"The editor “{editor}” ended with status {ended.returncode}{_hint(ended.returncode)}.")
        # Editors end a file with a line break; the field's text did not have one.
        return path.read_text(encoding="utf-8", errors="replace").rstrip("\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _hint(status: int) -> str:
    return " (not found: set $VISUAL or $EDITOR to an editor you have)" if status == 127 else ""


def edit_in_editor(app: App, request: EditInEditor, env: Mapping[str, str] = os.environ) -> None:
    """Hand the terminal to the editor for `request`'s field, and its text back to the field."""
    text, failure = None, None
    try:
        with app.suspend():
            try:
                text = edit_text(request.text, request.name, env)
            except Exception as error:  # noqa: BLE001 - Textual's suspend does not resume on one
                failure = error
    except SuspendNotSupported:
        app.notify(
            "This terminal cannot be handed to an editor here; the text is unchanged.",
            title="Editor",
            severity="warning",
            markup=False,
        )
        return
    if isinstance(failure, OSError):
        failure = EditorFailed(f"The text could not be passed to the editor ({failure}).")
    if isinstance(failure, EditorFailed):
        app.notify(visible(f"{failure} The text is unchanged."), title="Editor", severity="error", markup=False)
        return
    if failure is not None:
        raise failure  # the app's error path, now that the terminal is the app's again
    request.field.put_text(text)
