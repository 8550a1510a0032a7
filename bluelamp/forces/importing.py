"""The skeleton of the commands that import a file of one force's records (contacts, crimes,
call intervals, call records): the file and ``--force`` arguments; the force looked up; a
file that is not there or cannot be read named; a file whose whole structure is wrong
imports nothing; and the exit status says what happened: 0 all imported, 1 nothing
imported, 2 some rows rejected (each reported by line number above), the others imported."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bluelamp.forces.models import Force


class ImportCommand(BaseCommand):
    """A file import into one force: a subclass says what the file holds (``file_help``),
    adds its own arguments after these two, and imports in ``import_file``."""

    file_help: str | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help=self.file_help)
        parser.add_argument("--force", required=True, help="The force's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        force = force_get(options["force"])
        self.import_file(path=options["file"], force=force, options=options)

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        raise NotImplementedError


def force_get(slug: str) -> Force:
    """The force named by ``--force``."""
    force = Force.objects.filter(slug=slug).first()
    if force is None:
        raise CommandError(f"--force: no force with slug {slug!r}")
    return force


def file_missing(path: Path) -> CommandError:
    return CommandError(f"{path}: no such file")


def file_refused(path: Path, error: Exception) -> CommandError:
    """The file as a whole cannot be imported (not UTF-8, a bad header): nothing is."""
    return CommandError(f"{path.name}: {error}. Nothing was imported.")


@contextmanager
def file_reading(
    path: Path, *, refused: type[Exception] | tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """While reading ``path``: a file that is not there, or cannot be read, stops the import
    with its name; so does a ``refused`` error (the file's structure is wrong)."""
    try:
        yield
    except FileNotFoundError:
        raise file_missing(path) from None
    except OSError as e:
        raise CommandError(f"{path}: cannot be read: {e.strerror}") from None
    except refused as e:
        raise file_refused(path, e) from None


def rows_rejected(what: str, *, stored: bool, others: str = "the other rows") -> CommandError:
    """Some rows were rejected (``what``: "3 of 10 rows rejected", each listed above): exit
    2 when ``others`` were stored, 1 when nothing was."""
    return CommandError(
        f"{what} (listed above); "
        + (f"{others} were imported." if stored else "nothing was imported."),
        returncode=2 if stored else 1,
    )
