"""`python -m rope_client`: the `rope-client` command line."""

import sys

from .cli import main

sys.exit(main())
