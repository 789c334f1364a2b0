"""``python -m scheduler.app.cli``: the ``paiban`` command."""

import sys

from scheduler.app.cli import main

sys.exit(main())
