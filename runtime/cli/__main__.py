"""`python -m runtime.cli …`, the same as the `golem-llm` command."""

import sys

from runtime.cli.command import main

sys.exit(main())
