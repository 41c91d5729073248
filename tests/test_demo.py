"""`leadrelay demo` runs the whole loop offline and narrates it."""

import pytest

from leadrelay.demo import run_demo

pytestmark = pytest.mark.slow  # a whole leadrelay runs: see README, Tests


async def test_the_demo_walks_through_accept_decline_timeout_and_manager_stats(
    capsys: pytest.CaptureFixture[str],
) -> None:
    await run_demo(speed=4)
    out = capsys.readouterr().out
    assert "Ayşe now sees the contact: Phone: +90 532 123 45 67" in out
    assert "HTTP 200 {'lead_id': 1}" in out, "a retried webhook finds the same lead"
    assert "HTTP 422" in out
    assert "You passed on lead #2 (not my area)" in out
    assert "Lead #3 moved on" in out
    assert "Lead #3 needs a manager" in out
    assert "Selin assigned lead #3 to you" in out
    assert "Leads in: 3" in out
