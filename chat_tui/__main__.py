import sys

from chat_tui.cli import main

sys.exit(main())
