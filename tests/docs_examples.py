"""The Python examples of README.md and docs/*.md, as a reader would paste them.

Every ```` ```python ```` block of a page is one step of a script: the blocks run in page order
in one module namespace (a page declares its models once, later blocks build on them), and
the whole page is type-checked by ``mypy --strict`` as one module.

Conventions the pages follow (docs/index.md states them for readers):

- The examples talk to ``http://127.0.0.1:8055`` as ``admin@example.com`` / ``password``. When
  the examples run, those three string literals (and only string literals equal to them) are
  pointed at the test server.
- A block whose first line is ``# Not run by the tests: <reason>`` is type-checked but not run;
  the reason is visible to readers. Keep these rare.

Line numbers are kept: a block is compiled with its markdown file as file name and its lines
at their place in that file, so tracebacks and mypy errors point into the page.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
DOC_URL = "http://127.0.0.1:8055"
DOC_EMAIL = "admin@example.com"
DOC_PASSWORD = "password"
NOT_RUN = re.compile(r"#\s*Not run by the tests:\s*(\S.*)")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # 1-based line of the block's first source line in the markdown file
    source: str
    not_run: str | None  # the visible reason, for a block that is only type-checked

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def pages() -> list[Path]:
    """Every page that holds at least one Python block."""
    candidates = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [page for page in candidates if blocks(page)]


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    for token in MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8")):
        if token.type != "fence" or token.info.split(maxsplit=1)[:1] != ["python"]:
            continue
        assert token.map is not None
        first = token.content.lstrip("\n").split("\n", 1)[0]
        match = NOT_RUN.fullmatch(first.strip())
        found.append(Block(path, token.map[0] + 2, token.content, match.group(1) if match else None))
    return found


def module_source(path: Path) -> str:
    """The page as one Python module, each block at its own line numbers (for mypy)."""
    lines: list[str] = []
    for block in blocks(path):
        lines += [""] * (block.line - 1 - len(lines))
        lines += block.source.splitlines()
    return "\n".join(lines) + "\n"


def module_name(path: Path) -> str:
    stem = "readme" if path.name == "README.md" else path.stem
    return "docs_" + re.sub(r"\W", "_", stem.lower())


def for_server(source: str, url: str, email: str, password: str) -> str:
    """Point the documented server and login at another server (string literals only)."""
    wanted = {DOC_URL: url, DOC_EMAIL: email, DOC_PASSWORD: password}
    lines = source.splitlines(keepends=True)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    for tok in reversed(tokens):  # from the end, so earlier columns on a line stay valid
        if tok.type != tokenize.STRING or tok.string[:1] not in "\"'" or tok.start[0] != tok.end[0]:
            continue
        inner = tok.string[1:-1]
        if inner in wanted:
            row, start, end = tok.start[0] - 1, tok.start[1], tok.end[1]
            lines[row] = lines[row][:start] + repr(wanted[inner]) + lines[row][end:]
    return "".join(lines)
