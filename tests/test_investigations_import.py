"""``bluelamp import-basics``: the API's rules from a CSV file, all or nothing."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from bluelamp.investigations.models import BasicsItem, BasicsWord
from tests.test_investigations import ENCODED, REF, basics, crime_body, post

HEADER = "reference,item,status,at,by,rationale\n"


@pytest.fixture
def crime(api, force):
    assert post(api, "/api/v1/crimes", crime_body()).status_code == 201


def run(tmp_path, text: str, slug: str = "herts") -> None:
    path = tmp_path / "basics.csv"
    path.write_text(text, encoding="utf-8")
    call_command("import_basics", str(path), force=slug)


def test_a_good_file_is_recorded_under_the_apis_rules(api, crime, tmp_path, capsys):
    run(
        tmp_path,
        HEADER
        + f"{REF},cctv,done,2026-01-05T10:00:00Z,PC1,\n"
        + f"{REF},cctv,done,2026-01-05T10:00:00Z,PC1,\n"  # the same again: nothing changes
        + f"{REF},forensic_examination,not_done,2026-01-05 11:00,PC1,CSI not available\n"
        + f"{REF},house_to_house,not_applicable,2026-01-05T12:00:00Z,PC1,Detached farmhouse\n",
    )
    assert "recorded 3, already known 1" in capsys.readouterr().out
    found = basics(api, ENCODED)
    assert found["cctv"]["status"] == "done"
    assert found["forensic_examination"]["rationale"] == "CSI not available"
    assert found["forensic_examination"]["done_at"].startswith("2026-01-05T11:00")  # UK time
    assert found["house_to_house"]["status"] == "not_applicable"
    assert set(BasicsWord.objects.values_list("source", flat=True)) == {"import"}


def test_every_bad_line_is_named_and_nothing_is_written(api, crime, tmp_path, capsys):
    with pytest.raises(CommandError) as failed:
        run(
            tmp_path,
            HEADER
            + f"{REF},cctv,done,2026-01-05T10:00:00Z,PC1,\n"  # line 2: good
            + f"{REF},cctv,not_done,2026-01-05T10:00:00Z,PC1,\n"  # 3: no rationale
            + f"{REF},psychic,done,2026-01-05T10:00:00Z,PC1,\n"  # 4: unknown item
            + "99/1/26,cctv,done,2026-01-05T10:00:00Z,PC1,\n"  # 5: unknown crime
            + f"{REF},cctv,maybe,2026-01-05T10:00:00Z,PC1,\n"  # 6: bad status
            + f"{REF},cctv,done,yesterday,PC1,\n",  # 7: bad time
        )
    assert failed.value.returncode == 1
    out = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in out] == [f"line {n}" for n in (3, 4, 5, 6, 7)]
    assert out[0].startswith("line 3: rationale:")
    assert out[1].startswith("line 4: item:")
    assert out[2].startswith("line 5: reference:")
    assert out[3].startswith("line 6: status:")
    assert out[4].startswith("line 7: at:")
    assert not BasicsWord.objects.exists()
    assert not BasicsItem.objects.exclude(status="due").exists()


def test_a_file_without_the_columns_or_for_another_force_imports_nothing(
    api, crime, other_force, tmp_path
):
    with pytest.raises(CommandError, match="no column status"):
        run(tmp_path, "reference,item,at,by\n")
    with pytest.raises(CommandError) as failed:
        run(tmp_path, HEADER + f"{REF},cctv,done,2026-01-05T10:00:00Z,PC1,\n", slug="other")
    assert "line 2: reference" in str(failed.value) or failed.value.returncode == 1
    assert not BasicsWord.objects.exists()
