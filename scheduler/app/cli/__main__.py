"""``python -m scheduler.app.cli``: the ``paiban`` command."""

from scheduler.app.cli import console

console()
