"""The planner's errors: one root, `PlannerError`, for everything it refuses on purpose, and the problems found
in user input, reported all at once with file, line and field.

The command line and the page catch `PlannerError` alone and show its `explained()` text; anything else that
escapes is a bug."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EXIT_BAD_INPUT", "EXIT_NO_ROSTER", "PlannerError", "Problem", "InputError", "NoRoster"]

# The command line's exit codes (CONTRACT.md): 1 is a roster that breaks a rule, which is a finding, not an error.
EXIT_BAD_INPUT, EXIT_NO_ROSTER = 2, 3


class PlannerError(Exception):
    """Refused on purpose, with a message for the person who asked: bad input, a refused save, no roster."""

    exit_code = EXIT_BAD_INPUT

    def explained(self) -> str:
        return f"Refused: {self}"


class NoRoster(PlannerError):
    """The rules leave no roster (or no breaks) to write; the message says who and which rules."""

    exit_code = EXIT_NO_ROSTER

    def explained(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file. `line` is 1-based as an editor shows it (the header is line 1)."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"


class InputError(PlannerError, ValueError):
    """The whole file is rejected; `problems` lists every reason found, nothing was imported."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def explained(self) -> str:
        return f"Input rejected, nothing was imported:\n{self}"
