"""The project's settings with the bare-insert peer added (``bench/intake.py`` serves these)."""

from bluelamp.settings import *  # noqa: F403
from bluelamp.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.peer"]
ROOT_URLCONF = "bench.peer.urls"
