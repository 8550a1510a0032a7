"""The layers are enforced: our contract against imports inside functions catches one, and the
project keeps both contracts (the same check as ``lint-imports`` in CI)."""

import subprocess
import sys
import textwrap
from pathlib import Path

import grimp
import pytest

from tools.contracts import NoInnerImports, _inner_lines

ROOT = Path(__file__).resolve().parent.parent


def _package(tmp_path: Path, body: str) -> grimp.ImportGraph:
    for app in ("low", "high"):
        (tmp_path / "house" / app).mkdir(parents=True)
        (tmp_path / "house" / app / "__init__.py").write_text("")
    (tmp_path / "house" / "__init__.py").write_text("")
    (tmp_path / "house" / "low" / "things.py").write_text("VALUE = 1\n")
    (tmp_path / "house" / "high" / "work.py").write_text(textwrap.dedent(body))
    sys.path.insert(0, str(tmp_path))
    try:
        return grimp.build_graph("house", cache_dir=None)
    finally:
        sys.path.remove(str(tmp_path))


def _forget() -> None:
    for name in [m for m in sys.modules if m == "house" or m.startswith("house.")]:
        del sys.modules[name]


def _check(tmp_path: Path, body: str, ignore: list[str] | None = None) -> list[str]:
    _forget()
    graph = _package(tmp_path, body)
    contract = NoInnerImports("inner", {}, {"ignore": ignore} if ignore else {})
    sys.path.insert(0, str(tmp_path))
    try:
        _inner_lines.cache_clear()
        check = contract.check(graph, verbose=False)
    finally:
        sys.path.remove(str(tmp_path))
        _forget()
    broken: list[str] = check.metadata["broken"]
    assert check.kept == (not broken)
    return broken


def test_an_import_of_another_app_inside_a_function_breaks_the_contract(tmp_path: Path) -> None:
    broken = _check(
        tmp_path,
        """
        def f():
            from house.low.things import VALUE

            return VALUE
        """,
    )
    assert broken == [
        "house.high.work:3 imports house.low.things inside a function: "
        "from house.low.things import VALUE"
    ]


def test_a_module_level_import_keeps_it_and_ignored_modules_are_left_out(
    tmp_path: Path,
) -> None:
    assert _check(tmp_path, "from house.low.things import VALUE\n") == []
    inner = "def f():\n    from house.low.things import VALUE\n    return VALUE\n"
    assert _check(tmp_path / "again", inner, ignore=["house.high.*"]) == []


@pytest.mark.skipif(not (ROOT / "pyproject.toml").exists(), reason="needs the project's checkout")
def test_the_project_keeps_its_layers() -> None:
    done = subprocess.run(  # noqa: S603 (our own tool, no input from outside)
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Contracts: 2 kept, 0 broken." in done.stdout
