"""Reading a force's import file: its lines as text, or an error naming the line."""

import codecs
from collections.abc import Iterable, Iterator


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing from it is stored."""


def text_lines(raw_lines: Iterable[bytes]) -> Iterator[str]:
    """Decode a file's lines as UTF-8, dropping the byte-order mark that Excel writes.

    Raises ImportFileError naming the first line that is not UTF-8.
    """
    for number, raw in enumerate(raw_lines, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            # Decoding line by line (a UTF-8 sequence never contains a newline byte) is what
            # lets the message name the line; the usual cause is Excel's plain "CSV" format.
            raise ImportFileError(
                f"line {number}: the file is not UTF-8 text "
                '(in Excel, save it as "CSV UTF-8 (Comma delimited)")'
            ) from None
