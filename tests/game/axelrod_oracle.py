"""Run the Axelrod library on a JSON job from stdin and print JSON results (a subprocess).

Importing axelrod forces multiprocessing's start method to "spawn" for the whole process, so
the tests call this script in a separate interpreter instead of importing the library.
"""

import json
import sys
import warnings

warnings.simplefilter("ignore")

import axelrod as axl  # noqa: E402

#: trustsim key -> Axelrod class name.
CLASSES = {
    "all_c": "Cooperator",
    "all_d": "Defector",
    "tit_for_tat": "TitForTat",
    "suspicious_tit_for_tat": "SuspiciousTitForTat",
    "tit_for_two_tats": "TitFor2Tats",
    "two_tits_for_tat": "TwoTitsForTat",
    "grim_trigger": "Grudger",
    "win_stay_lose_shift": "WinStayLoseShift",
    "alternator": "Alternator",
    "go_by_majority": "GoByMajority",
    "generous_tit_for_tat": "GTFT",
}


def player(key):
    return getattr(axl, CLASSES[key])()


def game(rstp):
    r, s, t, p = rstp
    return axl.Game(r=r, s=s, t=t, p=p)


def run_match(job):
    totals = [0.0, 0.0]
    first = None
    for rep in range(job.get("repetitions", 1)):
        m = axl.Match(
            (player(job["a"]), player(job["b"])),
            turns=job["turns"],
            game=game(job["game"]),
            noise=job.get("noise", 0.0),
            seed=job.get("seed", 0) + rep,
        )
        plays = m.play()
        sa, sb = map(float, m.final_score())
        totals[0] += sa
        totals[1] += sb
        if first is None:
            first = {
                "a": "".join(str(x) for x, _ in plays),
                "b": "".join(str(y) for _, y in plays),
                "score_a": sa,
                "score_b": sb,
            }
    n = job.get("repetitions", 1)
    first["mean_a"], first["mean_b"] = totals[0] / n, totals[1] / n
    return first


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    out = {
        "matches": [run_match(j) for j in spec.get("matches", [])],
        "version": axl.__version__,
    }
    json.dump(out, sys.stdout)
