"""Letter templates: the wording of each reminder stage, in Italian and English.

A template is a Jinja text file named ``<stage>.<language>.txt`` with three sections, each
introduced by a line ``## subject``, ``## opening`` or ``## closing``; paragraphs are separated by
a blank line, and a single line break is kept. The defaults ship with the package
(``condo_admin/desk/letters/``); an agency with its own wording points ``--templates`` at a folder
of its own, which must then hold every template a run needs: a missing one stops the run before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined, TemplateError

from condo_admin.desk.errors import LettersRefused
from ledger.errors import N_, Phrase

DEFAULT_FOLDER = Path(__file__).with_name("letters")
SECTIONS = ("subject", "opening", "closing")


@dataclass(frozen=True)
class Wording:
    subject: str
    opening: list[str]
    closing: list[str]


def template_path(folder: Path | None, stage: str, language: str) -> Path:
    return (folder or DEFAULT_FOLDER) / f"{stage}.{language}.txt"


def missing(folder: Path | None, needed: set[tuple[str, str]]) -> list[str]:
    """The templates a run needs and does not find, as readable lines."""
    return [
        Phrase(
            N_("stage %(stage)s has no template in %(language)s (expected %(path)s)"),
            stage=stage,
            language=language,
            path=str(template_path(folder, stage, language)),
        )
        for stage, language in sorted(needed)
        if not template_path(folder, stage, language).is_file()
    ]


def _paragraphs(text: str) -> list[str]:
    """Paragraphs split on blank lines; a single line break is kept (a signature, an address)."""
    blocks = [
        "\n".join(" ".join(line.split()) for line in block.strip().splitlines())
        for block in text.strip().split("\n\n")
    ]
    return [block for block in blocks if block]


def wording(folder: Path | None, stage: str, language: str, values: dict[str, Any]) -> Wording:
    path = template_path(folder, stage, language)
    environment = Environment(undefined=StrictUndefined, autoescape=False)  # noqa: S701 - PDF text
    try:
        text = environment.from_string(path.read_text(encoding="utf-8")).render(**values)
    except (OSError, TemplateError) as exc:
        raise LettersRefused(
            problem=Phrase(
                N_("template %(path)s cannot be used: %(problem)s"),
                path=str(path),
                problem=str(exc),
            )
        ) from None
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip().lower(), [])
        elif current is not None:
            current.append(line)
    absent = [name for name in SECTIONS if not "\n".join(sections.get(name, [])).strip()]
    if absent:
        raise LettersRefused(
            problem=Phrase(
                N_(
                    "template %(path)s lacks the section(s) %(sections)s "
                    "(each introduced by a line '## <name>')"
                ),
                path=str(path),
                sections=", ".join(absent),
            )
        )
    return Wording(
        subject=" ".join("\n".join(sections["subject"]).split()),
        opening=_paragraphs("\n".join(sections["opening"])),
        closing=_paragraphs("\n".join(sections["closing"])),
    )
