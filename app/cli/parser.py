"""argparse in Japanese: usage, errors and help of the `shorei` command (SPEC §7: every user-facing text
of the CLI is Japanese, argparse's included).

argparse builds its own texts with gettext from English; rather than install a catalogue for the whole
process, the parser and the formatter here replace each of those texts where they are produced.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from collections.abc import Iterable

USAGE_PREFIX = "使い方: "

_TYPE_NAMES = {"int": "整数", "float": "数", "Path": "パス", "_date_argument": "日付", "_date": "日付"}


def _type_value(match: re.Match[str]) -> str:
    kind = _TYPE_NAMES.get(match["type"], match["type"])
    return f"{kind}として読めません: {match['value']}"


# argparse 3.11's messages (Lib/argparse.py), each with its Japanese; matched on the formatted text.
_MESSAGES: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"the following arguments are required: (?P<names>.*)"),
        lambda m: f"次の引数が必要です: {m['names']}",
    ),
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), lambda m: f"使えない引数です: {m['args']}"),
    (
        re.compile(r"invalid choice: (?P<value>.*?) \(choose from (?P<choices>.*)\)"),
        lambda m: f"{m['value']} は選べません（選べるもの: {m['choices']}）",
    ),
    (re.compile(r"expected one argument"), "値を1つ指定してください"),
    (re.compile(r"expected at most one argument"), "値は1つまでです"),
    (re.compile(r"expected at least one argument"), "値を1つ以上指定してください"),
    (re.compile(r"expected (?P<n>\d+) arguments?"), lambda m: f"値を{m['n']}つ指定してください"),
    (re.compile(r"invalid (?P<type>\S+) value: (?P<value>.*)"), _type_value),
    (
        re.compile(r"not allowed with argument (?P<other>.*)"),
        lambda m: f"{m['other']} と同時には指定できません",
    ),
    (re.compile(r"ignored explicit argument (?P<value>.*)"), lambda m: f"値 {m['value']} は指定できません"),
    (
        re.compile(r"one of the arguments (?P<names>.*) is required"),
        lambda m: f"{m['names']} のどれかを指定してください",
    ),
    (
        re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)"),
        lambda m: f"{m['option']} はあいまいです（候補: {m['matches']}）",
    ),
    (
        re.compile(r"unexpected option string: (?P<option>.*)"),
        lambda m: f"思いがけないオプションです: {m['option']}",
    ),
    (
        re.compile(r"unknown parser (?P<value>.*) \(choices: (?P<choices>.*)\)"),
        lambda m: f"{m['value']} は選べません（選べるもの: {m['choices']}）",
    ),
    (re.compile(r"argument (?P<name>.+?): (?P<message>.*)"), None),  # the argument, then its own message
]


def translate(message: str) -> str:
    """argparse's English error text in Japanese (texts already in Japanese pass through)."""
    for pattern, japanese in _MESSAGES:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        if japanese is None:
            return f"引数 {match['name']}: {translate(match['message'])}"
        return japanese if isinstance(japanese, str) else str(japanese(match))
    return message


class JapaneseHelpFormatter(argparse.HelpFormatter):
    """Usage and help with Japanese headings."""

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, USAGE_PREFIX if prefix is None else prefix)


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose every text is Japanese; subcommand parsers are of the same class."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", JapaneseHelpFormatter)
        kwargs["add_help"] = False  # ours below, with its help in Japanese
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="この説明を表示して終了します")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: エラー: {translate(message)}\n")
