"""The ``paiban`` command: one Typer app; each subcommand lives in its own ``cli_*`` module."""

from __future__ import annotations

import typer

from constraints.i18n import set_language

app = typer.Typer(
    name="paiban",
    help="paiban 排班: 银行网点排班与窗口优化 (staffing and counter-window scheduling for bank branches).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    lang: str = typer.Option("zh", "--lang", help="显示语言 zh/en (language of labels and messages)"),
) -> None:
    """paiban 排班."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh 或 en (zh or en)", param_hint="--lang")
    set_language(lang)
