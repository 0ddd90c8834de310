from django.conf import settings

# Until guanjia.visits is in INSTALLED_APPS (config/settings/base.py) its tests cannot import its models;
# they are left out of the run instead of breaking everyone's collection. Remove once the app is wired in.
if "guanjia.visits" not in settings.INSTALLED_APPS:
    collect_ignore_glob = ["test_*.py"]
