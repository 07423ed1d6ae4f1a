"""python -m hubctl: the same as the hubctl command."""

import sys

from hubctl.cli import main

if __name__ == "__main__":
    sys.exit(main())
