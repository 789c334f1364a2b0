"""Errors and warnings for bad or suspicious input.

One error type, :class:`InputError`, carries where the bad value is (file, row, column, value) so the CLI can
print a single clear sentence and exit with status 2. Suspicious-but-possible input is reported with
:class:`InputWarning` through the :mod:`warnings` machinery.
"""

from __future__ import annotations

from pathlib import Path


class InputError(ValueError):
    """Invalid input: names the file, row, column and value at fault, or the argument."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        argument: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.value = value
        self.argument = argument
        super().__init__(self.describe())

    def describe(self) -> str:
        """One sentence: where, then what is wrong."""
        where: list[str] = []
        if self.argument:
            where.append(f"参数 {self.argument}")
        if self.file:
            where.append(f"文件 {self.file}")
        if self.row is not None:
            where.append(f"第 {self.row} 行")
        if self.column:
            where.append(f"列 {self.column}")
        if self.value is not None:
            where.append(f"值 {self.value!r}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message

    def at(self, **where: object) -> InputError:
        """Return a copy with more location filled in (keeps what is already set)."""
        return InputError(
            self.message,
            file=self.file or where.get("file"),  # type: ignore[arg-type]
            row=self.row if self.row is not None else where.get("row"),  # type: ignore[arg-type]
            column=self.column or where.get("column"),  # type: ignore[arg-type]
            value=self.value if self.value is not None else where.get("value"),
            argument=self.argument or where.get("argument"),  # type: ignore[arg-type]
        )


class InputWarning(UserWarning):
    """Odd but possible input (duplicates, tickets outside opening hours): counted, not fatal."""
