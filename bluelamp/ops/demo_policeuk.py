"""The demonstration force's police.uk data: Hertfordshire's published crimes and outcomes
(``SHARED_DATA_DIR/policeuk-hertfordshire``) imported once, when the folder is there, so
``bluelamp charge-rates --force demo`` has real figures. Only ``bluelamp demo`` calls it: the
seeding the tests run stays as quick as it was."""

from pathlib import Path

from django.conf import settings

from bluelamp.forces.models import Force
from bluelamp.outcomes.models import PoliceUkCrime
from bluelamp.outcomes.policeuk_import import policeuk_import


def demo_policeuk_folder() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "policeuk-hertfordshire"


def demo_policeuk_import(force: Force, folder: Path | None = None) -> str:
    """Import the folder into the demo force unless it has police.uk crimes already; what
    happened, in words."""
    folder = folder or demo_policeuk_folder()
    if not folder.is_dir():
        return f"police.uk data: not found at {folder}, none imported."
    if PoliceUkCrime.objects.filter(force=force).exists():
        return "police.uk data: imported before (bluelamp charge-rates --force demo)."
    report = policeuk_import(force=force, folder=folder, actor="system:demo")
    crimes = sum(f.new for f in report.files if f.kind == "street")
    outcomes = sum(f.new for f in report.files if f.kind == "outcomes")
    return (
        f"police.uk data: {crimes} crimes and {outcomes} outcomes of Hertfordshire imported "
        "(bluelamp charge-rates --force demo)."
    )
