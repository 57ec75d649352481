"""What a terminal really receives: the real `msp-tickets --demo` in tmux with 256 colours, the
16 of `TERM=linux`, and NO_COLOR; on the board each priority, and each status, arrives with
colours of its own (bold alone does not count), and under NO_COLOR with an SGR sequence (grey,
bold, reverse) of its own."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from portal.schema import PRIORITY_LABELS, STATUS_LABELS, STATUS_SHORT_LABELS, Status
from tests.support.terminal import COMMAND
from tests.support.terminal import terminal as a_terminal  # `terminal` names the kind of terminal here

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

TERMINALS = {
    "256 colours": {"TERM": "xterm-256color"},
    "16 colours": {"TERM": "linux"},
    "NO_COLOR": {"TERM": "xterm-256color", "NO_COLOR": "1"},
}


def board_as_sent(tmp_path: Path, settings: dict[str, str]) -> str:
    """The demo board's screen with its escape codes, as tmux holds it."""
    variables = " ".join(f"{name}={value}" for name, value in settings.items())
    # Every XDG folder the test's own: the demo keeps its portal and mirror under XDG_DATA_HOME.
    folders = " ".join(f"XDG_{kind}_HOME={tmp_path / kind.lower()}" for kind in ("CONFIG", "CACHE", "DATA", "STATE"))
    command = f"env -u COLORTERM -u NO_COLOR {folders} {variables} {COMMAND} --demo"
    with a_terminal(tmp_path) as term:
        term.start(command, dict(os.environ))
        return term.wait_for(
            lambda s: re.search(r"1 All [1-9]\d*", re.sub(r"\x1b\[[0-9;]*m", "", s)) is not None and "Critical" in s,
            "the board",
            escapes=True,
        )


def table_rows(screen: str) -> str:
    """The ticket rows below the cursor's: the pills, the cursor row and the footer say the
    same words in their own colours."""
    lines = screen.rstrip("\n").splitlines()
    header = next(i for i, line in enumerate(lines) if "Subject" in line and "Priority" in line)
    return "\n".join(lines[header + 2 : -2])


def without_bold(codes: str) -> str:
    return re.sub(r"\x1b\[1;", "\x1b[", re.sub(r"\x1b\[1m", "", codes))


def codes_by_word(text: str, words: set[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    for codes, word in re.findall(rf"((?:\x1b\[[0-9;]*m)+)({alternatives})\b", text):
        # The codes that set how the word looks: what follows the last reset.
        found.setdefault(word, set()).add(re.split(r"\x1b\[0?m|\x1b\[0;", codes)[-1])
    return found


@pytest.mark.parametrize("terminal", TERMINALS)
def test_each_priority_and_each_status_arrives_looking_its_own(tmp_path: Path, terminal: str) -> None:
    rows = table_rows(board_as_sent(tmp_path, TERMINALS[terminal]))
    # A narrow board writes a status in its short words (widgets/ticket_table.py): either names it.
    statuses = [s for s in Status if s is not Status.WAITING_ON_VENDOR]
    short_words = {STATUS_SHORT_LABELS[s]: STATUS_LABELS[s] for s in statuses}
    for labels in (set(PRIORITY_LABELS.values()), {STATUS_LABELS[s] for s in statuses} | set(short_words)):
        found: dict[str, set[str]] = {}
        for word, codes in codes_by_word(rows, labels).items():
            found.setdefault(short_words.get(word, word), set()).update(codes)
        assert len(found) >= 4, f"the demo board shows most of {sorted(labels)}: {sorted(found)}"
        for word, codes in found.items():
            assert len(codes) == 1, f"{word} arrives one way, in {terminal}: {codes}"
        looks = {word: next(iter(codes)) for word, codes in found.items()}
        if terminal != "NO_COLOR":
            looks = {word: without_bold(codes) for word, codes in looks.items()}
        same = [(a, b) for a in looks for b in looks if a < b and looks[a] == looks[b]]
        assert not same, f"alike in {terminal}: {same} ({looks})"
