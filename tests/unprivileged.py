"""Running the CLI so that permission bits apply, even when the tests run as root.

``setpriv`` drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set (and
the inheritable set) before it executes the command: root then reads a mode-000 file
or lists a mode-000 directory no better than anybody else. A real "cannot read", not
a simulated one.
"""

from __future__ import annotations

import os
import shutil


def without_dac_override() -> list[str]:
    """Command prefix under which permission bits apply to us (empty when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to drop CAP_DAC_OVERRIDE as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search",
            "--inh-caps=-dac_override,-dac_read_search", "--"]
