"""Memory and time of the Thai dictionary the registry book's PDF breaks lines with.

Run: .venv/bin/python bench/bench_thai_words.py
Each dictionary is loaded in a fresh interpreter, which then cuts a set of book subjects 200 times.
Prints, for the gateway's dictionary (PyThaiNLP's word list in a marisa-trie) and for PyThaiNLP's
own default trie of the same list: how much the process grew (resident memory, MB), the first cut
(load included, s) and the time of a cut after that (ms), and the ratios. Figures, not a test.
"""

from __future__ import annotations

import json
import subprocess
import sys

CHILD = r"""
import json, os, sys, time
os.environ["PYTHAINLP_READ_ONLY"] = "1"
sys.path.insert(0, os.getcwd())
from tests.unit.web.test_thai_words import BOOK_SUBJECTS

def resident_mb():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

if sys.argv[1] == "gateway":
    from ecms_adapters.web import thai_words
    import pythainlp.tokenize
    before = resident_mb()
    started = time.perf_counter()
    cut = thai_words._tokenizers()[0]
else:
    from pythainlp.tokenize import word_tokenize
    import ecms_adapters.web.thai_words
    before = resident_mb()
    started = time.perf_counter()
    cut = lambda text: word_tokenize(text, engine="newmm", keep_whitespace=True)
cut(BOOK_SUBJECTS[0])
first = time.perf_counter() - started
grown = resident_mb() - before
started = time.perf_counter()
for _ in range(200):
    for subject in BOOK_SUBJECTS:
        cut(subject)
each = (time.perf_counter() - started) / (200 * len(BOOK_SUBJECTS))
print(json.dumps({"mb": grown, "first_s": first, "each_ms": each * 1000}))
"""


def main() -> int:
    figures = {}
    for which in ("gateway", "pythainlp"):
        out = subprocess.run([sys.executable, "-c", CHILD, which], capture_output=True, text=True, check=True)
        figures[which] = json.loads(out.stdout)
    for which, label in (("gateway", "marisa-trie (the gateway)"), ("pythainlp", "PyThaiNLP's own trie")):
        f = figures[which]
        grew, first, each = f["mb"], f["first_s"], f["each_ms"]
        print(f"{label:28} grew {grew:6.1f} MB   first cut {first:.3f} s   a cut {each:.3f} ms")
    g, p = figures["gateway"], figures["pythainlp"]
    print(
        f"ratios gateway/PyThaiNLP: memory {g['mb'] / p['mb']:.2f},"
        f" first cut {g['first_s'] / p['first_s']:.2f}, a cut {g['each_ms'] / p['each_ms']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
