"""py-spy on the leadrelay process during a phase, and a summary of where its time went."""

from __future__ import annotations

import asyncio
import re
import sys
from collections import Counter
from pathlib import Path

_LINE_NO = re.compile(r":\d+\)$")
_PROJECT_DIRS = ("core", "storage", "leadrelay", "webhooks", "bot")


async def py_spy(pid: int, seconds: int, out: Path, *,
                 native: bool = False) -> asyncio.subprocess.Process | None:
    """Start py-spy recording *pid* (raw folded stacks; *native*: with C frames, which
    pauses the process for each sample), or None if py-spy is not installed."""
    exe = Path(sys.executable).parent / "py-spy"
    if not exe.exists():
        return None
    how = ["--native"] if native else ["--nonblocking"]
    return await asyncio.create_subprocess_exec(
        str(exe), "record", "-p", str(pid), "-d", str(seconds), "-r", "200", "-f", "raw",
        "-o", str(out), *how, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL)


def summarize_profile(path: Path, top: int = 12) -> list[str]:
    """Where the samples went: own time by function, and project functions inclusive."""
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return ["(no py-spy output)"]
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in lines:
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_LINE_NO.sub(")", frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            if any(f"({d}/" in frame or f"/{d}/" in frame for d in _PROJECT_DIRS):
                inclusive[frame] += count
    if not total:
        return ["(py-spy recorded no samples)"]
    out = [f"{total} samples of busy threads (200/s)", "own time by function:"]
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    out.append("project functions, inclusive:")
    out += [f"  {100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top + 4)
            if "leadrelay/cli.py" not in frame]
    return out
