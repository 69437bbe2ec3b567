"""``python -m handoff.generate --out DIR …``: see :func:`handoff.generate.main`."""

from handoff.generate.core import main

main()
