"""Run inside an image (``python -c <this file's text> <tool>...``): print as JSON who the
process runs as and every compiler, linker or build tool found on PATH or installed."""

import glob
import json
import os
import re
import shutil
import sys

PATTERNS = ("*gcc*", "*clang*", "cc", "c++", "g++*", "make", "ld", "ld.bfd", "ld.gold", "as")
# Compiler packages themselves, not gcc-12-base (libgcc's runtime, which everything needs).
PACKAGES = re.compile(r"((gcc|g\+\+|cpp|clang)(-\d+)?|binutils.*|make|libc6-dev|build-essential)$")

found = sorted(
    path
    for directory in os.environ["PATH"].split(":")
    for pattern in (*PATTERNS, "cpp", "cpp-[0-9]*")
    for path in glob.glob(os.path.join(directory, pattern))
)
with open("/var/lib/dpkg/status") as status:
    installed = re.findall(r"^Package: (\S+)", status.read(), flags=re.MULTILINE)
print(
    json.dumps(
        {
            "uid": os.getuid(),
            "gid": os.getgid(),
            "which": {tool: shutil.which(tool) for tool in sys.argv[1:]},
            "found": found,
            "packages": sorted(name for name in installed if PACKAGES.match(name)),
        }
    )
)
