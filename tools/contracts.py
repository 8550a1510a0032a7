"""An import-linter contract of ours: no import of another bluelamp app inside a function.

An import inside a function hides a dependency from the reader and from the layers contract's
spirit (it is usually there to dodge an import cycle). Each import between two apps that
grimp finds is looked up in its file's syntax tree; one inside a function (or a method)
breaks the contract. ``ignore`` takes module patterns (``*.migrations.*``) left out.
"""

import ast
import fnmatch
import importlib.util
from functools import cache

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


@cache
def _inner_lines(module: str) -> frozenset[int]:
    """The line numbers of the import statements inside functions of a module's file."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return frozenset()
    with open(spec.origin, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return frozenset(found)


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


class NoInnerImports(Contract):
    ignore = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        patterns = list(self.ignore) if self.ignore else []  # type: ignore[arg-type]
        broken: list[str] = []
        for importer in sorted(graph.modules):
            if any(fnmatch.fnmatch(importer, p) for p in patterns):
                continue
            inner = _inner_lines(importer)
            if not inner:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if _app(imported) == _app(importer):
                    continue
                for detail in graph.get_import_details(importer=importer, imported=imported):
                    if detail["line_number"] in inner:
                        broken.append(
                            f"{importer}:{detail['line_number']} imports {imported} "
                            f"inside a function: {detail['line_contents']}"
                        )
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for line in check.metadata["broken"]:
            output.print_error(line, bold=False)
            output.new_line()
