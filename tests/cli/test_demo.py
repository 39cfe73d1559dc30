from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from knock.core.pins import pin_matches
from knock.cli.demo_cmds import DEMO_PIN, prepare_demo
from knock.cli.main import cli
from knock.home import open_home


def test_demo_prepares_once_and_resumes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import knock.sample.community as community

    real = community.build_sample
    monkeypatch.setattr(community, "build_sample", lambda ledger, seed: real(ledger, seed=seed, households=120, arrears=40, staff=8))
    home = open_home(tmp_path / "demo")
    staff_id, name = prepare_demo(home, seed=3, echo=False)
    staff = home.ledger.staff(staff_id)
    assert staff.role in ("guard", "cleaner") and pin_matches(staff.pin_hash, DEMO_PIN)
    assigned = home.store.scalar("SELECT COUNT(*) FROM assignments WHERE staff_id = ?", (staff_id,))
    assert assigned > 0
    # the real planner contracted today's households out: short walks, not the sample's history
    walks = home.store.query(
        "SELECT a.staff_id, COUNT(DISTINCT h.building) AS b FROM assignments a JOIN households h USING (household_id) GROUP BY a.staff_id"
    )
    assert max(r["b"] for r in walks) <= 2
    # the sample came from the office device: this laptop has only its own few events to sync
    mine = home.store.scalar("SELECT COUNT(*) FROM events WHERE device_id = ?", (home.ledger.device.device_id,))
    assert mine <= 3
    events = home.store.scalar("SELECT COUNT(*) FROM events")
    assert prepare_demo(home, seed=3, echo=False) == (staff_id, name)
    assert home.store.scalar("SELECT COUNT(*) FROM events") == events  # nothing rebuilt or re-assigned
    home.close()
    result = CliRunner().invoke(cli, ["demo", "--home", str(tmp_path / "demo"), "--prepare-only"])
    assert result.exit_code == 0 and name in result.output and DEMO_PIN in result.output
