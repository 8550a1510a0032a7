from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from bluelamp.forces.importing import ImportCommand, file_reading, rows_rejected
from bluelamp.forces.models import Force
from bluelamp.intake.imports import (
    COLUMNS,
    DEFAULT_BATCH_SIZE,
    REQUIRED_COLUMNS,
    ImportReport,
    RowError,
    contacts_import,
    file_check,
    rows_parse,
)
from bluelamp.lib.downloads import SafeCsvWriter
from bluelamp.lib.files import ImportFileError


class Command(ImportCommand):
    help = (
        "Import contacts from a CSV file, as if each row were sent to POST /api/v1/contacts. "
        f"Columns: {', '.join(COLUMNS)} (required: {', '.join(REQUIRED_COLUMNS)}); "
        "flags separated by ';'. The file's structure (UTF-8, quoting, header) is checked "
        "first; then rows are written in batches, one transaction each (a batch the database "
        "refuses whole is written again row by row, each row in its own savepoint), and the "
        "import carries on: good rows "
        "are stored, every bad row reported by line number and field. With --no-invitations "
        "the contacts are history: recorded, never surveyed. "
        "Exit status: 0 all imported; 1 nothing imported (unreadable file, bad header, unknown "
        "force); 2 some rows rejected, the others imported. Re-running a file is safe: "
        "references already known are skipped."
    )
    file_help = "A UTF-8 CSV file with a header row"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help=f"Rows per transaction (default {DEFAULT_BATCH_SIZE})",
        )
        parser.add_argument(
            "--no-invitations",
            action="store_true",
            help="History that must not be surveyed: every contact's invitation is recorded "
            "as excluded (imported_history), with no link and nothing sent",
        )
        parser.add_argument(
            "--report",
            type=Path,
            help="Also write the rejected rows here as CSV: line,field,message",
        )

    def import_file(self, *, path: Path, force: Force, options: dict[str, Any]) -> None:
        report_path: Path | None = options["report"]
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size: must be at least 1")
        if report_path is not None and report_path.resolve() == path.resolve():
            raise CommandError("--report: must not be the file being imported")

        # A first, read-only pass: a file that cannot be imported as a whole imports nothing.
        with file_reading(path, refused=ImportFileError), path.open("rb") as f:
            row_count = file_check(f)

        with _rejections_file(report_path) as record_rejection:
            rows_done = 0

            def on_batch(batch: ImportReport) -> None:
                nonlocal rows_done
                rows_done += batch.rows
                for error in batch.errors:
                    self.stdout.write(str(error))
                    record_rejection(error)
                if options["verbosity"] >= 2:
                    self.stderr.write(f"{path.name}: {rows_done} of {row_count} rows done")

            try:
                with path.open("rb") as f:
                    total = contacts_import(
                        force=force,
                        rows=rows_parse(f),
                        actor=f"import:{path.name}",
                        batch_size=batch_size,
                        history=options["no_invitations"],
                        on_batch=on_batch,
                    )
            except ImportFileError as e:
                # Only when the file changed after the check; the batches stored before stand.
                raise CommandError(
                    f"{path.name}: {e}. The file changed during the import; the batches before "
                    "this line were imported. Fix the file and run it again."
                ) from None

        self.stdout.write(
            f"{path.name} into {force.slug}: {total.rows} rows\n"
            f"  created        {total.created} ({total.invited} invited to a survey, "
            f"{total.excluded} excluded)\n"
            f"  already known  {total.known}\n"
            f"  rejected       {total.rejected}"
        )
        if total.rejected:
            stored = total.created + total.known
            raise rows_rejected(
                f"{total.rejected} of {total.rows} rows rejected", stored=bool(stored)
            )


@contextmanager
def _rejections_file(path: Path | None) -> Iterator[Callable[[RowError], None]]:
    """Where --report writes each rejected row as CSV: line, field, message."""
    if path is None:
        yield lambda error: None
        return
    try:
        f = path.open("w", encoding="utf-8", newline="")
    except OSError as e:
        raise CommandError(f"--report: {path} cannot be written: {e.strerror}") from None
    with f:
        writer = SafeCsvWriter(f)
        writer.writerow(["line", "field", "message"])

        def record(error: RowError) -> None:
            writer.writerow([error.line, error.field, error.message])

        yield record
