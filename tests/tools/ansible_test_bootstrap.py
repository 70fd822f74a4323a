# -*- coding: utf-8 -*-
"""Give ansible-test its pip bootstrap script without downloading it.

ansible-test fetches get-pip.py from a host this workplace cannot reach; it
first looks for a cached copy at ~/.ansible/test/cache/get_pip_<version>.py.
This writes a stand-in there, for the pip version the installed ansible-test
asks for: it runs ensurepip, then ``pip install`` with the arguments given,
which reaches the package registry like every other install here.
"""

from __future__ import absolute_import, division, print_function

import os
import re
import sys

STAND_IN = '''# Stand-in for get-pip.py, written by flashcat.flashduty's tests/tools/ansible_test_bootstrap.py.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
subprocess.check_call([sys.executable, "-m", "pip", "install", "--disable-pip-version-check"] + args)
'''


def main():
    import ansible_test
    source = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
    with open(source) as handle:
        versions = set(re.findall(r"pip='([0-9.]+)'", handle.read()))
    cache = os.path.expanduser("~/.ansible/test/cache")
    os.makedirs(cache, exist_ok=True)
    for version in sorted(versions):
        path = os.path.join(cache, "get_pip_%s.py" % version.replace(".", "_"))
        with open(path, "w") as handle:
            handle.write(STAND_IN)
        print("ansible-test pip bootstrap: %s" % path)
    return 0 if versions else 1


if __name__ == "__main__":
    sys.exit(main())
