"""Problems found in user input, reported all at once with file, line and field."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "InputError"]


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


class InputError(ValueError):
    """The whole file is rejected; `problems` lists every reason found, nothing was imported."""

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
