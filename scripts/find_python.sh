#!/usr/bin/env bash
# Print the path of a Python >= 3.12: first on PATH, then from pyenv. Exit 1 with one sentence if none.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for name in python3.14 python3.13 python3.12 python3 python; do
    if command -v "$name" >/dev/null 2>&1 && ok "$(command -v "$name")"; then
        command -v "$name"; exit 0
    fi
done
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root)
    for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)?$' | sort -t. -k1,1n -k2,2n -k3,3n -r); do
        cand="$root/versions/$v/bin/python3"
        if [ -x "$cand" ] && ok "$cand"; then echo "$cand"; exit 0; fi
    done
fi
echo "trustsim needs Python 3.12 or newer, and none was found on PATH or in pyenv; install one (e.g. 'pyenv install 3.12') and retry." >&2
exit 1
