from bluelamp.forces.rebuilding import RebuildCommand
from bluelamp.investigations.outcome_rollups import rollups_check, rollups_rebuild


class Command(RebuildCommand):
    help = (
        "Recompute the outcome rollups (the charge rates page's counts) from the crimes and "
        "their latest outcomes. With --check, change nothing: report every count that "
        "differs (exit status 1 if any)."
    )
    counts = "outcome rollups"
    source = "the crimes"
    command = "rebuild-outcome-rollups"
    compare = staticmethod(rollups_check)
    recompute = staticmethod(rollups_rebuild)
