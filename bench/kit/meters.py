"""CPU and memory use of a process (leadrelay, or the bench itself), read from /proc."""

from __future__ import annotations

import os
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def child_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) the process *pid* has used so far, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLK_TCK  # utime, stime


def own_cpu_seconds() -> float:
    """CPU seconds (user + system) this bench process has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class CpuMeter:
    """CPU use of leadrelay and of the bench process over one phase, as % of one core."""

    pid: int
    wall0: float = field(default_factory=time.monotonic)
    child0: float = 0.0
    own0: float = field(default_factory=own_cpu_seconds)

    def __post_init__(self) -> None:
        """Take the starting reading of the child's CPU time."""
        self.child0 = child_cpu_seconds(self.pid)

    def read(self) -> tuple[float, float]:
        """Return (leadrelay %, bench %) of one core since the meter was created."""
        wall = max(time.monotonic() - self.wall0, 1e-9)
        child = (child_cpu_seconds(self.pid) - self.child0) / wall * 100
        own = (own_cpu_seconds() - self.own0) / wall * 100
        return child, own


@dataclass(frozen=True)
class Sample:
    """One reading of /proc/<pid>/status, in MiB, and the process's thread count."""

    label: str
    at: float  # seconds since leadrelay was started
    rss: float
    anon: float
    file: float
    hwm: float
    threads: int  # each open aiosqlite connection is one thread

    def line(self) -> str:
        """The sample as one printed line."""
        return (f"  {self.label:<28} t={self.at:6.1f}s  VmRSS {self.rss:6.1f}  "
                f"(anon {self.anon:6.1f}, file {self.file:5.1f})  VmHWM {self.hwm:6.1f}  "
                f"threads {self.threads}")


def read_memory(pid: int, label: str, since: float) -> Sample:
    """VmRSS, RssAnon, RssFile and VmHWM of *pid* in MiB, and its threads."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM", "Threads"):
            values[key] = int(rest.split()[0])  # kB, or a count
    mib = {key: value / 1024 for key, value in values.items()}
    return Sample(label, time.monotonic() - since, mib["VmRSS"], mib["RssAnon"],
                  mib["RssFile"], mib["VmHWM"], values["Threads"])
