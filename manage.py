#!/usr/bin/env python
"""Django's command-line utility for Guanjia."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A bad environment value stops start-up with one line naming it, not a traceback.
        sys.exit(f"配置错误 / configuration error: {exc}")


if __name__ == "__main__":
    main()
