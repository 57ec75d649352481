"""`ctrl+e` (tui/editor.py): the editor chosen and run as git does, the text through a private
file and back; where the terminal cannot be handed over (Textual's pilot), a notice and the text
kept. The real terminal is tests/tui/test_editor_in_tmux.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from cache.model import Pill
from tests.tui.conftest import running_tui
from tests.tui.test_detail import open_first
from tui.editor import EditorFailed, edit_text, editor_command
from widgets.text_entry_area import TextEntryArea

# Appends a line saying the modes of the file it was given and of its folder, and keeps a copy
# of the path, so the test can see that the file is gone afterwards.
EDITOR_SCRIPT = """#!/bin/sh
[ "$1" = "--append" ] || exit 3
printf '\\n%s %s' "$(stat -c %a "$2")" "$(stat -c %a "$(dirname "$2")")" >> "$2"
printf '%s' "$2" > "$(dirname "$0")/edited-path"
"""


@pytest.fixture
def editor(tmp_path: Path) -> str:
    """An $EDITOR value the shell must split: a path with a space, then an argument."""
    folder = tmp_path / "my editors"
    folder.mkdir()
    script = folder / "append"
    script.write_text(EDITOR_SCRIPT, encoding="utf-8")
    script.chmod(0o700)
    return f'"{script}" --append'


def test_the_editor_is_chosen_as_git_does() -> None:
    assert editor_command({"VISUAL": "nano", "EDITOR": "vim"}) == "nano"
    assert editor_command({"VISUAL": " ", "EDITOR": "vim -u NONE"}) == "vim -u NONE"
    assert editor_command({}) == "vi"


def test_the_text_goes_through_a_private_file_and_comes_back(editor: str, tmp_path: Path) -> None:
    edited = edit_text("First line\nsecond line", "body", {"PATH": "/usr/bin:/bin", "EDITOR": editor})

    assert edited == "First line\nsecond line\n600 700"
    path = Path((tmp_path / "my editors" / "edited-path").read_text(encoding="utf-8"))
    assert path.name == "body.txt" and not path.parent.exists(), "the file and its folder are removed"


def test_a_failing_or_missing_editor_says_so(tmp_path: Path) -> None:
    with pytest.raises(EditorFailed, match="status 3"):
        edit_text("kept", "body", {"PATH": "/usr/bin:/bin", "EDITOR": "sh -c 'exit 3'"})
    with pytest.raises(EditorFailed, match="not found: set"):
        edit_text("kept", "body", {"PATH": "/usr/bin:/bin", "VISUAL": str(tmp_path / "no-such-editor")})


async def test_ctrl_e_where_the_terminal_cannot_be_handed_over_keeps_the_text(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        await open_first(running, Pill.OPEN)
        await running.press("c")
        await running.press(*"Half a thought", "ctrl+e")
        await running.until(
            lambda: any("cannot be handed to an editor" in str(n.message) for n in running.app._notifications),
            what="the notice",
        )
        assert running.app.is_running
        assert running.app.screen.query_one(TextEntryArea).text == "Half a thought"


async def test_the_text_back_from_the_editor_is_kept_as_the_draft(demo_portal, tmp_path: Path) -> None:
    async with running_tui(demo_portal, tmp_path) as running:
        detail = await open_first(running, Pill.OPEN)
        await running.press("c")
        area = running.app.screen.query_one(TextEntryArea)
        area.put_text("Written in the editor\nover two lines")  # what edit_in_editor does with it
        await running.pilot.pause()
        assert area.cursor_location == area.document.end
        drafts = running.app.session.mirror.drafts
        await running.until(
            lambda: (
                (drafts.load(f"comment:{detail.ticket_id}") or {}).get("body")
                == "Written in the editor\nover two lines"
            ),
            what="the draft saved",
        )
