from bluelamp.forces.rebuilding import RebuildCommand
from bluelamp.insights.rollups import rollups_check, rollups_rebuild


class Command(RebuildCommand):
    help = (
        "Recompute the live view's rollups from the responses and invitations themselves. "
        "With --check, change nothing: report every count that differs (exit status 1 if any)."
    )
    counts = "rollups"
    source = "the raw data"
    command = "rebuild-rollups"
    compare = staticmethod(rollups_check)
    recompute = staticmethod(rollups_rebuild)
