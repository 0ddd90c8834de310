"""Until ``guanjia.followup`` is in INSTALLED_APPS, its tests are not collected (their imports would fail)."""

from django.apps import apps

collect_ignore_glob = [] if apps.is_installed("guanjia.followup") else ["tests", "tests/*", "*.py"]
