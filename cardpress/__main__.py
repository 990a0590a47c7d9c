import sys

from cardpress.cli import main

sys.exit(main())
