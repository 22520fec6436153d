"""Generates tests/vectors/kt/*.json from ktmodel.py and self-checks them.

Usage: python3 tests/kt/model/gen_vectors.py [file-stem ...]   (default: all)
Deterministic (random.Random with fixed seeds). VRF outputs are NOT real VRF outputs:
they are SHA-256(VrfInput) = SHA-256(uint8 len(label) || label || uint32 version).
"""

import json
import os
import random
import sys

import ktmodel as k

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vectors", "kt")


def h(b):
    return b.hex()


def write(stem, description, cases, extra=None):
    path = os.path.join(OUT, stem + ".json")
    with open(path, "w") as f:
        json.dump(dict({"description": description}, **(extra or {}), cases=cases), f,
                  separators=(",", ":"))
        f.write("\n")
    print(f"{stem}.json: {len(cases)} cases, {os.path.getsize(path)} bytes")


# ---------------------------------------------------------------------------
def gen_implicit_tree():
    cases = []
    for n in list(range(1, 201)) + [1000, 65537, (1 << 32) + 5]:
        c = {"n": n, "root": k.root(n), "frontier": k.frontier(n)}
        if n <= 200:
            nodes = []
            for x in range(n):
                nodes.append({
                    "x": x, "level": k.level(x),
                    "left": k.left(x) if k.has_left(x) else None,
                    "right": k.right(x, n) if k.has_right(x, n) else None,
                    "direct_path": k.direct_path(x, n)})
            c["nodes"] = nodes
        cases.append(c)
    write("implicit_tree", "Implicit binary search tree (draft appendix code): root, frontier, "
          "and per entry level/left/right/direct_path (root first, ending at the parent).", cases)


# ---------------------------------------------------------------------------
def gen_binary_ladder():
    cases = []
    for n in list(range(0, 301)) + [1 << 31, (1 << 32) - 2, (1 << 32) - 1]:
        cases.append({"kind": "base", "n": n, "versions": k.base_binary_ladder(n)})
    rnd = random.Random(2)
    pairs = [(t, n) for t in range(0, 12) for n in range(-1, 12)]
    pairs += [(rnd.randrange(0, 1000), rnd.randrange(-1, 1000)) for _ in range(60)]
    pairs += [((1 << 32) - 1, (1 << 32) - 1), (5, (1 << 32) - 1), ((1 << 32) - 1, 7), (1 << 31, 1 << 31)]
    for t, n in pairs:
        cases.append({"kind": "search", "t": t, "n": n, "left_inclusion": [],
                      "right_non_inclusion": [], "versions": k.search_binary_ladder(t, n)})
    for _ in range(60):
        t, n = rnd.randrange(0, 64), rnd.randrange(-1, 64)
        full = k.base_binary_ladder(max(t, n, 0) + 3)
        li = sorted(rnd.sample(full, min(len(full), rnd.randrange(0, 4))))
        rn = sorted(rnd.sample(full, min(len(full), rnd.randrange(0, 4))))
        cases.append({"kind": "search", "t": t, "n": n, "left_inclusion": li,
                      "right_non_inclusion": rn, "versions": k.search_binary_ladder(t, n, li, rn)})
    for t in list(range(0, 70)) + [1000, 1 << 31, (1 << 32) - 1]:
        cases.append({"kind": "monitoring", "t": t, "versions": k.monitoring_binary_ladder(t)})
    # Self-check: the interactive ladder equals the appendix code.
    for c in cases:
        if c["kind"] == "search" and not c["left_inclusion"] and not c["right_non_inclusion"]:
            t, n = c["t"], c["n"]
            got = [v for v, _ in k.run_ladder(lambda v: v <= n, k.search_stop(t))]
            assert got == c["versions"], c
    write("binary_ladder", "Binary ladders (draft appendix code). n = -1 means no version exists "
          "(ladder [0]).", cases)


# ---------------------------------------------------------------------------
def gen_distinguished():
    rnd = random.Random(3)
    cases = []
    for i in range(40):
        n = rnd.choice([1, 2, 3, 5, 8, 13, 31, 32, 33, 64, 100, 200])
        ts, t = [], rnd.randrange(0, 2000)
        for _ in range(n):
            t += rnd.choice([0, 0, 1, 5, 10, 50, 100, 300])
            ts.append(t)
        for rmw in [0, 1, 10, 100, 1000, 10 ** 6]:
            cases.append({"timestamps": ts, "rmw": rmw, "distinguished": k.distinguished(ts, rmw)})
    # Self-check: the per-entry walk (used by the combined tree) agrees.
    for c in cases[:60]:
        ts, n = c["timestamps"], len(c["timestamps"])

        class D:
            pass
        d = D()
        d.timestamps = ts
        ctx = k.Context(n, c["rmw"], None, b"", directory=d)
        assert [x for x in range(n) if ctx.is_dist(x)] == c["distinguished"]
    write("distinguished", "Distinguished log entries (draft recursive RMW algorithm).", cases)


# ---------------------------------------------------------------------------
def gen_commitment():
    rnd = random.Random(4)
    cases = []
    labels = [b"", b"a", b"alice@example.com", bytes(range(255))]
    values = [b"", b"\x00", b"public key bytes", bytes(rnd.randrange(256) for _ in range(300))]
    for i in range(20):
        opening = bytes(rnd.randrange(256) for _ in range(k.NC))
        label = labels[i % len(labels)]
        value = values[(i // 4) % len(values)]
        version = [0, 1, 7, 1000, (1 << 32) - 1][i % 5]
        cases.append({"kind": "commitment", "opening": h(opening), "label": h(label),
                      "version": version, "value": h(value),
                      "commitment_value": h(k.commitment_value(opening, label, version, value)),
                      "commitment": h(k.commitment(opening, label, version, value))})
    for ts in [0, 1, 1700000000000, (1 << 64) - 1]:
        pr = k.sha256(k.u64(ts))
        cases.append({"kind": "log_entry", "timestamp": ts, "prefix_root": h(pr),
                      "leaf_value": h(k.log_entry_value(ts, pr))})
    for label, version in [(b"alice", 0), (b"alice", 1), (b"", (1 << 32) - 1)]:
        cases.append({"kind": "vrf_stand_in", "label": h(label), "version": version,
                      "vrf_input": h(k.vrf_input(label, version)),
                      "vrf_output": h(k.fake_vrf_output(label, version))})
    write("commitment", "Commitments (HMAC-SHA256(Kc, CommitmentValue), empty UpdateSuffix), "
          "log tree leaf values, and the vectors' VRF stand-in.", cases)


# ---------------------------------------------------------------------------
def oracle_log_elements(leaves, m, requested, auditor=0):
    """Independent restatement: the maximal balanced tree nodes made only of leaves that are
    neither requested nor inside a retained subtree without requested leaves, left to right.
    With an auditor size, only nodes lying wholly on one side of it count, and a retained
    subtree that straddles it covers nothing (the user needs values inside it)."""
    n = len(leaves)
    covered = set(requested)
    for a, b in (k.full_subtrees(m) if m else []):
        if not any(a <= x < b for x in requested) and not a < auditor < b:
            covered |= set(range(a, b))
    nodes = []

    def walk(lo, hi, parent_ok):
        ok = (k.is_balanced(hi - lo) and not any(lo <= x < hi for x in covered)
              and (hi <= auditor or lo >= auditor))
        if ok and not parent_ok:
            nodes.append((lo, hi))
        if hi - lo > 1:
            s = k.split(hi - lo)
            walk(lo, lo + s, ok or parent_ok)
            walk(lo + s, hi, ok or parent_ok)

    walk(0, n, False)
    return [k.log_node(leaves, a, b) for a, b in sorted(nodes)]


def oracle_prefix_elements(entries, keys):
    """Independent restatement: the siblings of nodes on the search paths that are not on any
    path themselves, ordered by their bit-string prefix (= depth-first left to right)."""
    tree = k.build_prefix_tree(entries)
    paths = set()
    for key in keys:
        _, depth, _ = k.prefix_search(tree, key)
        for d in range(1, depth + 1):
            paths.add(tuple(k.bit(key, i) for i in range(d)))
    sib = {p[:-1] + (1 - p[-1],) for p in paths} - paths

    def value(prefix):
        node = tree
        for i, bt in enumerate(prefix):
            if node is None or node[0] == "leaf":
                return k.ZERO if node is None else node[-1]
            node = node[1] if bt == 0 else node[2]
        return k.node_value(node)

    # a sibling below a terminal leaf cannot occur: paths stop at terminals
    return [value(p) for p in sorted(sib)]


def gen_log_tree():
    rnd = random.Random(5)
    audit_rnd = random.Random(7)
    cases = []
    for n in list(range(1, 41)) + [1000]:
        leaves = [k.log_entry_value(1000 * i, k.sha256(k.u64(i))) for i in range(n)]
        c = {"n": n, "leaves": [h(x) for x in leaves], "root": h(k.log_root(leaves)),
             "full_subtrees": [{"start": a, "end": b, "value": h(k.log_node(leaves, a, b))}
                               for a, b in k.full_subtrees(n)], "proofs": []}
        reqs = []
        if n == 13:
            reqs.append((4, [7, 11, 12]))  # the draft's worked example
        for _ in range(6 if n < 1000 else 12):
            m = rnd.choice([None, None] + list(range(1, n + 1)))
            cnt = rnd.randrange(0 if m else 1, min(n, 6) + 1)
            reqs.append((m, sorted(rnd.sample(range(n), cnt))))
        if n >= 5:
            reqs.append((n - 1, []))
            reqs.append((n, [0]))
            m = rnd.randrange(2, n)
            inside = [x for x in range(m) if rnd.random() < 0.5][:4] or [0]
            reqs.append((m, inside))  # leaves inside retained subtrees
        for m, lv in reqs:
            el = k.log_batch_prove(leaves, m, lv)
            assert el == oracle_log_elements(leaves, m, lv), (n, m, lv)
            ret = [k.log_node(leaves, a, b) for a, b in k.full_subtrees(m)] if m else []
            root, subs = k.log_batch_verify(n, m, ret, {x: leaves[x] for x in lv}, el)
            assert root == k.log_root(leaves)
            assert all(subs[s] == k.log_node(leaves, *s) for s in k.full_subtrees(n))
            if el:  # self-check: a changed element fails
                bad = list(el)
                bad[0] = k.sha256(bad[0])
                try:
                    r2, _ = k.log_batch_verify(n, m, ret, {x: leaves[x] for x in lv}, bad)
                    assert r2 != root
                except k.VerifyFailed:
                    pass
            c["proofs"].append({"old_size": m, "retained": [h(x) for x in ret], "leaves": lv,
                                "elements": [h(x) for x in el], "root": h(root)})
        # Proofs that also give the root at an auditor's tree size (a separate generator, so
        # the proofs above stay as they were).
        for m, lv in reqs[:4]:
            a = audit_rnd.randrange(1, n + 1)
            el = k.log_batch_prove(leaves, m, lv, a)
            assert el == oracle_log_elements(leaves, m, lv, a), (n, m, lv, a)
            ret = [k.log_node(leaves, x, y) for x, y in k.full_subtrees(m)] if m else []
            root, _, audited_root = k.log_batch_verify(n, m, ret, {x: leaves[x] for x in lv}, el,
                                                       a)
            assert root == k.log_root(leaves) and audited_root == k.log_root(leaves[:a])
            c["proofs"].append({"old_size": m, "retained": [h(x) for x in ret], "leaves": lv,
                                "auditor_size": a, "elements": [h(x) for x in el],
                                "root": h(root), "auditor_root": h(audited_root)})
        cases.append(c)
    write("log_tree", "Log tree: leaf values, root, full subtrees, batch InclusionProofs.", cases)


# ---------------------------------------------------------------------------
def flip(key, i):
    b = bytearray(key)
    b[i // 8] ^= 1 << (7 - i % 8)
    return bytes(b)


def gen_prefix_tree():
    rnd = random.Random(6)
    cases = []

    def rkey():
        return bytes(rnd.randrange(256) for _ in range(32))

    specs = [("empty", 0), ("one", 1), ("two", 2), ("five", 5), ("hundred", 100),
             ("thousand", 1000), ("long-prefixes", 0), ("last-bit", 0)]
    for name, count in specs:
        entries = [(rkey(), rkey()) for _ in range(count)]
        unencodable = []
        if name == "long-prefixes":
            base = rkey()
            for i in [254, 200, 128, 31, 7, 0, 253]:
                entries.append((flip(base, i), rkey()))
            entries.append((base, rkey()))
            entries += [(rkey(), rkey()) for _ in range(10)]
        if name == "last-bit":
            base = rkey()
            entries += [(base, rkey()), (flip(base, 255), rkey()), (rkey(), rkey())]
            unencodable = [base, flip(base, 255)]
        tree = k.build_prefix_tree(dict(entries))
        rootv = k.node_value(tree)
        present = [e[0] for e in entries if e[0] not in unencodable]
        lookups_list = []
        sets = [[rkey()], [rkey() for _ in range(3)]]
        if present:
            sets += [[present[0]], rnd.sample(present, min(4, len(present))),
                     [present[-1], rkey(), flip(present[-1], 255)]]
            p = present[len(present) // 2]
            sets.append([p, flip(p, 250), flip(p, 100), flip(p, 3)])
            sets.append([p, p])  # the same key twice
        if name == "long-prefixes":
            base = entries[7][0]
            sets.append([base, flip(base, 254), flip(base, 255), flip(base, 253), flip(flip(base, 254), 255)])
        for keys in sets:
            comm = {kk: c for kk, c in entries}
            pr = k.prefix_prove(tree, keys)
            assert pr["elements"] == oracle_prefix_elements(dict(entries), keys), name
            enc = k.encode_prefix_proof(pr)
            dec = k.decode_prefix_proof(k.Reader(enc))
            got = k.prefix_evaluate(dec, keys, [comm.get(kk) for kk in keys])
            assert got == rootv and k.encode_prefix_proof(dec) == enc
            lookups_list.append({"keys": [h(x) for x in keys],
                                 "result_types": [r[0] for r in pr["results"]],
                                 "proof": h(enc), "root": h(rootv)})
        cases.append({"name": name, "entries": [{"key": h(a), "commitment": h(b)} for a, b in entries],
                      "root": h(rootv), "unencodable_keys": [h(x) for x in unencodable],
                      "lookups": lookups_list})
    write("prefix_tree", "Prefix tree roots and batch PrefixProofs (TLS).", cases)


GENERATORS = {
    "implicit_tree": gen_implicit_tree,
    "binary_ladder": gen_binary_ladder,
    "distinguished": gen_distinguished,
    "commitment": gen_commitment,
    "log_tree": gen_log_tree,
    "prefix_tree": gen_prefix_tree,
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    try:
        import combined  # noqa: F401  (combined_tree.json generator, if present)
        GENERATORS["combined_tree"] = lambda: combined.gen(write)
    except ImportError:
        pass
    for stem in sys.argv[1:] or list(GENERATORS):
        GENERATORS[stem]()
