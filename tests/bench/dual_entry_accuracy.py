"""How many wrong account IDs reach the export with single entry and with Teishi's dual entry.

Two independent simulated typists key ≥10,000 realistic LINE WORKS IDs under a stated error
model; the decisions are made by Teishi's own code (``normalize_account_id`` and
``dual_entry.classify_attempt``, the rule ``VerificationService.submit`` applies), and a sample is
cross-checked end to end through ``VerificationService`` on a real database.

    /tmp/venv/bin/python tests/bench/dual_entry_accuracy.py [--ids 20000] [--seed 7]

Error model (per character of the true ID, at rate p; one event per character at most):
  neighbouring-key substitution 35 %, O/0 l/1 i/1 misreading 15 % (else a neighbouring key),
  transposition with the next character 15 %, omission 15 %, insertion of a neighbouring key 20 %.
Per ID, independently of p: typed with the IME on (full-width, "-" becomes "ー") 3 %, a trailing
space 3 %, a capital first letter 2 %. Those three never change the normalised value; they are
counted to show what the normalisation absorbs.

Dual entry as Teishi runs it: the verifier types blind; a mismatch makes them re-key (a fresh,
independent typing); the same wrong value twice, or three different wrong values, goes to a third
officer. The adjudicator is modelled as reading the source carefully: choosing the true value when
it is one of the two shown, otherwise keying it themselves under the same error model.
Not modelled: a source both officers misread the same way (an ambiguous screenshot); no
double entry can catch that, which is why the adjudication screen names O/0 and l/1 at all.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from desktop_app import dual_entry  # noqa: E402
from desktop_app.account_id import check_account_id  # noqa: E402
from desktop_app.normalize import normalize_account_id  # noqa: E402

FAMILY = ("sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada "
          "sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto "
          "ishikawa ogawa okada goto hasegawa murakami kondo ishii saito sakamoto endo aoki fujita "
          "nishimura fukuda ota miura fujii okamoto matsuda nakajima nakano harada ono tamura takeuchi "
          "kaneko wada nakayama ishida ueda morita hara shibata sakai kudo yokoyama miyazaki miyamoto "
          "uchida takagi ando taniguchi ohno maruyama imai").split()
GIVEN = ("hiroshi takashi akira yuki yuko kenji makoto naoki daisuke shota haruto yui aoi sakura riko "
         "mei taro jiro ichiro kazuki ryota yusuke tomoko keiko megumi ayumi kaori emi mika rina shin "
         "jun ken go satoshi masato kenta yuta sho nanami misaki yoko hiromi").split()
ROLES = "info support sales admin contact recruit office staff desk service toiawase uketsuke".split()
WORDS = ("sakura fuji nippon tokyo osaka asahi yamato daiichi hikari mirai nexus global trust invest "
         "capital shoji bussan kogyo tech partners holdings consulting asset wealth fx smart link next "
         "prime advance creation lead bright hope star green blue").split()

KEY_ROWS = ("1234567890-", "qwertyuiop", "asdfghjkl", "zxcvbnm,.")
MISREAD = {"o": "0", "0": "o", "l": "1", "1": "l", "i": "1"}


def _neighbours() -> dict[str, str]:
    pos = {ch: (r, c) for r, row in enumerate(KEY_ROWS) for c, ch in enumerate(row)}
    out = {}
    for ch, (r, c) in pos.items():
        out[ch] = "".join(o for o, (r2, c2) in pos.items() if o != ch and abs(r2 - r) <= 1 and abs(c2 - c) <= 1)
    out["@"] = "p["
    out["_"] = "-0"
    return out


NEIGHBOURS = _neighbours()


def realistic_id(rng: random.Random) -> str:
    f, g = rng.choice(FAMILY), rng.choice(GIVEN)
    local = rng.choice((
        f"{g}.{f}", f"{f}.{g}", f"{f}_{g[0]}", f"{g[0]}-{f}", f"{f}{rng.randint(60, 99)}",
        f"{g}{rng.randint(1, 999):02d}", f"{f}.{g}{rng.randint(1, 9)}", f"{rng.choice(ROLES)}",
        f"{rng.choice(ROLES)}{rng.randint(1, 30):02d}", f"{g[:3]}{f[:4]}{rng.randint(0, 9999)}",
        f"{f}-{g}.{rng.choice(ROLES)}",
    ))
    w1, w2 = rng.sample(WORDS, 2)
    domain = rng.choice((
        f"{w1}-{w2}.co.jp", f"{w1}{w2}.co.jp", f"{w1}{w2}.com", f"{w1}-{w2}.com", f"{w1}.jp",
        f"{w1}-{w2}.jp", f"{w1}{w2}.ne.jp", f"{w1}-{w2}", f"{w1}{w2}", f"{w1}{rng.randint(1, 99)}",
    ))
    return f"{local}@{domain}"


def type_id(truth: str, rng: random.Random, p: float, stats: Counter) -> str:
    """One officer keying ``truth`` from the source."""
    out: list[str] = []
    i = 0
    while i < len(truth):
        ch = truth[i]
        if rng.random() >= p:
            out.append(ch)
            i += 1
            continue
        r = rng.random()
        if r < 0.35 or (r < 0.50 and ch not in MISREAD):
            stats["substitution"] += 1
            out.append(rng.choice(NEIGHBOURS.get(ch, ch) or ch))
        elif r < 0.50:
            stats["misreading O/0 l/1"] += 1
            out.append(MISREAD[ch])
        elif r < 0.65 and i + 1 < len(truth):
            stats["transposition"] += 1
            out.extend((truth[i + 1], ch))
            i += 1
        elif r < 0.80:
            stats["omission"] += 1
        else:
            stats["insertion"] += 1
            out.extend((ch, rng.choice(NEIGHBOURS.get(ch, ch) or ch)))
        i += 1
    typed = "".join(out)
    # what normalisation absorbs
    if rng.random() < 0.03:
        stats["full-width (IME on)"] += 1
        typed = "".join("ー" if c == "-" else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in typed)
    if rng.random() < 0.02:
        stats["capital letter"] += 1
        typed = typed[:1].upper() + typed[1:]
    if rng.random() < 0.03:
        stats["trailing space"] += 1
        typed += " "
    return typed


def dual_entry_outcome(truth: str, first: str, rng: random.Random, p: float, stats: Counter,
                       source: str | None = None) -> tuple[str, str, bool]:
    """Run the blind check with Teishi's rule.

    Returns (exported normalised value, how it ended, whether a blind match accepted that value).

    ``source`` is what the officers read (differs from ``truth`` only for an ambiguous source).
    """
    source = source or truth
    wrong: list[str] = []
    while True:
        typed = type_id(source, rng, p, stats)
        result = dual_entry.classify_attempt(first, typed, wrong)
        if result == dual_entry.MATCH:
            return normalize_account_id(first), "slip corrected" if wrong else "matched at once", True
        if result == dual_entry.MISMATCH:
            wrong.append(normalize_account_id(typed))
            continue
        # REPEAT or LIMIT: a third officer compares every typed value with the source, the
        # differences highlighted; if none is right they key it, and Teishi sends that value
        # through a new blind check (VerificationService.adjudicate, choice "other").
        shown = {normalize_account_id(first), normalize_account_id(typed), *wrong}
        if source in shown:
            return source, "adjudicated", False
        third = type_id(source, rng, p, stats)
        value, _how, by_match = dual_entry_outcome(truth, third, rng, p, stats, source)
        return value, "adjudicator keyed it, re-verified blind", by_match


def misread(truth: str, rng: random.Random) -> str:
    """An ambiguous source: one O/0 or l/1 both officers read the same wrong way."""
    spots = [i for i, ch in enumerate(truth.split("@")[0]) if ch in MISREAD]
    if not spots:
        return truth
    i = rng.choice(spots)
    return truth[:i] + MISREAD[truth[i]] + truth[i + 1:]


def simulate(n: int, p: float, seed: int, shared_misread: float = 0.0) -> dict:
    rng = random.Random(seed)
    ids = []
    while len(ids) < n:
        cand = realistic_id(rng)
        if not check_account_id(cand):
            ids.append(cand)
    stats: Counter = Counter()
    ends: Counter = Counter()
    single_wrong = single_wrong_valid = raw_differs = 0
    dual_wrong = identical_error = 0
    shared_through = 0
    for truth in ids:
        source = truth
        if shared_misread and rng.random() < shared_misread:
            source = misread(truth, rng)
        first = type_id(source, rng, p, stats)
        first_norm = normalize_account_id(first)
        if first != truth:
            raw_differs += 1
        if first_norm != truth:
            single_wrong += 1
            if not check_account_id(first_norm):
                single_wrong_valid += 1  # passes the ID rules: nothing but a second look would catch it
        exported, how, by_match = dual_entry_outcome(truth, first, rng, p, stats, source)
        ends[how] += 1
        if exported != truth:
            dual_wrong += 1
            if source != truth and exported == source:
                shared_through += 1  # both read the same wrong character: no re-keying can see it
            elif by_match:
                identical_error += 1  # two independent typings produced the same wrong ID
    return {"ids": ids, "stats": stats, "ends": ends, "single": single_wrong, "single_valid": single_wrong_valid,
            "shared": shared_through,
            "raw_differs": raw_differs, "dual": dual_wrong, "identical": identical_error}


def cross_check(p: float, seed: int, rows: int) -> tuple[int, int]:
    """The same rule end to end through VerificationService on a real database."""
    from desktop_app.context import AppContext
    from desktop_app.entry import Status
    from desktop_app.services.verification import Outcome

    rng = random.Random(seed)
    agree = 0
    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext.open(Path(tmp) / "data", log_to_file=False)
        try:
            ctx.setup.initialise("station", "27", "中央警察署")
            a = ctx.officers.add("1", "入力者", "1111")
            b = ctx.officers.add("2", "確認者", "2222")
            base = {"user_name": "x", "case_type": "SNS型投資詐欺", "station": "中央警察署", "recognized_on": "2026-01-05"}
            done = 0
            while done < rows:
                truth = realistic_id(rng)
                if check_account_id(truth):
                    continue
                first = type_id(truth, rng, p, Counter())
                if check_account_id(normalize_account_id(first)):
                    continue  # the ID rules refuse it: no verification request
                entry = ctx.entries.create(a.id, {**base, "account_id": first})
                ctx.entries.mark_ready(a.id, entry.id)
                wrong: list[str] = []
                while True:
                    typed = type_id(truth, rng, p, Counter())
                    expected = dual_entry.classify_attempt(first, typed, wrong)
                    if not normalize_account_id(typed):
                        break
                    outcome = ctx.verification.submit(entry.id, b, "account_id", typed)
                    if expected == dual_entry.MISMATCH:
                        wrong.append(normalize_account_id(typed))
                    mapping = {dual_entry.MATCH: Outcome.MATCH, dual_entry.MISMATCH: Outcome.MISMATCH_RETRY}
                    if outcome != mapping.get(expected, Outcome.CONFLICT):
                        break
                    if outcome != Outcome.MISMATCH_RETRY:
                        status = ctx.entries.get(entry.id).status
                        want = Status.VERIFIED if outcome == Outcome.MATCH else Status.CONFLICT
                        agree += status == want
                        break
                done += 1
        finally:
            ctx.close()
    return agree, rows


def per10k(x: int, n: int) -> float:
    return 10000 * x / n


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ids", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--rates", default="0.00015,0.002,0.005,0.01")
    ap.add_argument("--shared-misread", type=float, default=0.01,
                    help="share of sources both officers misread identically (separate run)")
    ap.add_argument("--cross-check", type=int, default=300)
    args = ap.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",")]

    print(f"Dual entry accuracy: {args.ids} realistic LINE WORKS IDs, two independent typists, seed {args.seed}")
    print("Decisions by Teishi's normalize_account_id + dual_entry.classify_attempt (VerificationService's rule)\n")
    header = (f"{'rate/char':>9} {'single wrong':>13} {'/10k':>7} {'pass ID rules':>13} {'dual wrong':>11} "
              f"{'/10k':>6} {'identical':>9} {'single:dual':>11} {'caught':>7}")
    print(header)
    print("-" * len(header))
    results = []
    for p in rates:
        t0 = time.perf_counter()
        r = simulate(args.ids, p, args.seed)
        r["secs"] = time.perf_counter() - t0
        results.append((p, r))
        n = args.ids
        ratio = f"{r['single'] / r['dual']:.0f}:1" if r["dual"] else f">{r['single']}:1"
        caught = 1 - r["dual"] / r["single"] if r["single"] else 1.0
        print(f"{p:>9.3%} {r['single']:>13} {per10k(r['single'], n):>7.1f} {r['single_valid']:>13} {r['dual']:>11} "
              f"{per10k(r['dual'], n):>6.1f} {r['identical']:>9} {ratio:>11} {caught:>7.2%}")
    print()
    for p, r in results:
        others = r["dual"] - r["identical"]
        print(f"rate {p:.3%}/char: {r['dual']} wrong IDs reached the export with dual entry (single entry "
              f"{r['single']}); {r['identical']} of them are the identical error made in two independent "
              f"typings, {others} anything else")
        print("  endings: " + ", ".join(f"{k} {v}" for k, v in sorted(r["ends"].items())))
        print(f"  raw typed value differed from the source in {r['raw_differs']} IDs; "
              f"{r['raw_differs'] - r['single']} of these only by full-width / capital / trailing space, "
              f"which the normalisation absorbs")
        print("  error events: " + ", ".join(f"{k} {v}" for k, v in r["stats"].most_common()))
        print(f"  ({r['secs']:.2f} s for {args.ids} IDs)")
    if args.shared_misread:
        p = 0.005
        r = simulate(args.ids, p, args.seed, shared_misread=args.shared_misread)
        print(f"\nLimit, stated: with {args.shared_misread:.0%} of sources misread identically by both officers "
              f"(O/0, l/1) at {p:.1%}/char, {r['dual']} wrong IDs reach the export, {r['shared']} of them the "
              f"shared misreading; single entry {r['single']}. Dual entry cannot see a shared misreading; the "
              f"entry warning on O/0 and l/1 and the adjudicator's named confusables are what address it.")
    print()
    print("Published anchors (errors per 10,000 fields): single 29 vs double 14 (Garza et al. 2025, 93 studies,"
          " ratio 2.1:1);")
    print("  3.7 vs 0.46 in one EpiData study (Paulsen 2012, ratio 8:1); a different second operator catches"
          " 88.3 % of errors (Kawado 2003).")
    if args.cross_check:
        agree, rows = cross_check(0.01, args.seed + 1, args.cross_check)
        print(f"\nCross-check through VerificationService on a real database at 1.0 %/char: "
              f"{agree}/{rows} rows ended as the pure rule predicted")
        return 0 if agree == rows else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
