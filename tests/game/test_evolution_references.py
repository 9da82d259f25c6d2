"""Every bibliography key the evolution package cites is listed in docs/references.md."""

import re
from importlib import resources
from pathlib import Path

import trustsim.game.evolution


def test_cited_keys_are_in_references():
    listed = set(
        re.findall(
            r"^- \[([A-Za-z0-9]+)\]",
            resources.files("trustsim").joinpath("docs/references.md").read_text(),
            flags=re.MULTILINE,
        )
    )
    package = Path(trustsim.game.evolution.__file__).parent
    cited = {
        key
        for path in package.glob("*.py")
        for key in re.findall(r"\[([A-Z][A-Za-z]+\d{4}[a-z]?)\]", path.read_text())
    }
    assert {"Nowak2004", "Traulsen2006", "Ohtsuki2006", "NowakMay1992"} <= cited
    assert cited <= listed, sorted(cited - listed)
