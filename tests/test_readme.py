"""The README's promises: its Python snippets run, and its quick start names real targets."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def test_python_snippets_run():
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_quick_start_is_two_make_targets_that_exist():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make (\w+)", quick, flags=re.M)
    assert commands == ["demo", "test"]
    makefile = (ROOT / "Makefile").read_text()
    for target in commands:
        assert re.search(rf"^{target}:", makefile, flags=re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_in_the_readme_is_registered():
    from trustsim.cli import COMMANDS

    shell = "".join(re.findall(r"```bash\n(.*?)```", README, flags=re.S))
    used = set(re.findall(r"^trustsim (\w+)", shell, flags=re.M))
    assert used and used <= set(COMMANDS)


def test_every_run_command_in_the_readme_parses_and_names_real_parameters():
    import shlex

    from trustsim.cli import build_parser
    from trustsim.park.params import PARAMETERS

    shell = "".join(re.findall(r"```bash\n(.*?)```", README, flags=re.S))
    runs = re.findall(r"^trustsim (run .*)$", shell, flags=re.M)
    assert runs
    for line in runs:
        args = build_parser().parse_args(shlex.split(line, comments=True))
        names = {item.split("=", 1)[0] for item in args.assign}
        assert names <= set(PARAMETERS), (line, names - set(PARAMETERS))


def test_set_takes_several_assignments_at_once(tmp_path, capsys):
    import json

    from trustsim.cli import main

    args = ["run", "minimal", "--years", "2", "--json", "--out", str(tmp_path),
            "--set", "patience=0.1", "utility_temptation=1.0", "--set", "noise=0.0"]
    assert main(args) == 0
    parameters = json.loads(capsys.readouterr().out)["parameters"]
    assert (parameters["patience"], parameters["utility_temptation"]) == (0.1, 1.0)
