"""The demo force's near repeats: its burglaries' zones opened as they were pushed (the
demo's addresses have places, ``demo_care.demo_place``); most neighbourhoods warned, in time
or late, a few never; and one Knox test over the month, as the nightly duty would run it."""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from bluelamp.forces.models import Force, Role, User
from bluelamp.prevention import analysis
from bluelamp.prevention.models import CocooningTask, NearRepeatRun
from bluelamp.prevention.services import CocooningIn, cocooning_record, near_repeat_run

ADVICE = [
    "Window locks, a light on a timer, and the non-emergency number for anyone loitering",
    "Leaflet on door and window security; offered a free survey by the crime reduction officer",
    "Told neighbours of the burglary next door; advised to lock up and report callers",
]


def demo_prevention_seed(force: Force, now: dt.datetime, rng: random.Random) -> int:
    """Cocooning on the demo's tasks that fell due, and one analysis; returns the tasks
    recorded. Nothing when the force has an analysis already."""
    if NearRepeatRun.objects.filter(force=force).exists():
        return 0
    officer = User.objects.filter(force=force, role=Role.SUPERVISOR).order_by("pk").first()
    done = 0
    tasks = CocooningTask.objects.filter(force=force, done_at=None).order_by("due_at", "pk")
    for task in tasks.select_related("zone"):
        start = task.due_at - dt.timedelta(hours=48)
        roll = rng.random()
        if officer is None or roll < 0.2:
            continue  # never warned
        hours = rng.uniform(2, 46) if roll < 0.75 else rng.uniform(50, 120)  # in time, or late
        at = start + dt.timedelta(hours=hours)
        if at >= now:
            continue
        data = CocooningIn(rng.randint(6, 25), rng.randint(10, 40), rng.choice(ADVICE))
        with transaction.atomic():
            cocooning_record(task=task, data=data, user=officer, now=at)
        done += 1
    yesterday = timezone.localtime(now).date() - dt.timedelta(days=1)
    near_repeat_run(
        force=force, family=analysis.ZONE_FAMILY, first_day=yesterday - dt.timedelta(days=30),
        last_day=yesterday, by="nightly duty", seed=1,
    )  # fmt: skip
    return done
