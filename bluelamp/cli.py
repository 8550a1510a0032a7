"""The ``bluelamp`` console command: Django's management commands with the settings preset."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bluelamp.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    if args and not args[0].startswith("-"):
        # `bluelamp create-force` reads better than Django's `create_force`.
        args[0] = args[0].replace("-", "_")
    execute_from_command_line(["bluelamp", *args])


if __name__ == "__main__":
    main()
