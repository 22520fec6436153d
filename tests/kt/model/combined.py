"""combined_tree.json: CombinedTreeProof scenarios (prover -> TLS bytes -> verifier)."""

import ktmodel as k


def h(b):
    return b.hex()


# ---------------------------------------------------------------------------
# Scenarios: (name, rmw, maximum_lifetime, [(timestamp, [(label, count)])]).

def scenario_appendix():
    # 13 entries: entry 7 and 11 distinguished, 12 not (T12-T7 >= RMW > T12-T11): the draft's
    # worked example. alice has versions 0..2 (greatest 2 from entry 9 on).
    ts = [10000, 10100, 10100, 10300, 10400, 10500, 10600, 10700, 10800, 10900, 11000, 11100, 11200]
    ups = {0: [(b"dave", 1)], 1: [(b"alice", 1)], 3: [(b"carol", 3)], 4: [(b"alice", 1)],
           8: [(b"carol", 5)], 9: [(b"alice", 1), (b"erin", 1)], 12: [(b"bob", 1)]}
    return "appendix", 300, None, [(t, ups.get(i, [])) for i, t in enumerate(ts)]


def scenario_lifetime():
    # 40 entries, RMW 3000, maximum lifetime 7000: entries 7000 or more older than entry 39 expire.
    ts = []
    t = 0
    for i in range(40):
        t += [1000, 0, 1000, 1000, 500][i % 5] if i < 36 else 200
        ts.append(t)
    ups = {2: [(b"old", 1)], 5: [(b"old", 1), (b"carol", 2)], 20: [(b"old", 1)],
           33: [(b"mid", 1)], 36: [(b"mid", 2), (b"alice", 1)], 38: [(b"carol", 1), (b"new", 1)],
           39: [(b"alice", 1)]}
    return "lifetime", 3000, 7000, [(t, ups.get(i, [])) for i, t in enumerate(ts)]


def scenario_busy():
    # 64 entries, RMW 250, no lifetime; alice updated often, several versions per entry.
    ts = []
    t = 5000
    for i in range(64):
        t += [40, 0, 90, 10, 130][i % 5]
        ts.append(t)
    ups = {}
    for i in range(0, 64, 3):
        ups[i] = [(b"alice", 1 + (i % 2))]
    ups.setdefault(10, []).append((b"bob", 1))
    ups.setdefault(47, []).append((b"bob", 4))
    ups.setdefault(63, []).append((b"bob", 1))
    ups.setdefault(30, []).append((b"carol", 1))
    return "busy", 250, None, [(t, ups.get(i, [])) for i, t in enumerate(ts)]


def build(sc):
    name, rmw, ml, hist = sc
    d = k.Directory(rmw, ml)
    for t, u in hist:
        d.append(t, u)
    return d


# ---------------------------------------------------------------------------

def retained_for(d, m):
    if m is None:
        return None
    leaves = d.leaves(m)
    return {"size": m,
            "full_subtrees": [k.log_node(leaves, a, b) for a, b in k.full_subtrees(m)],
            "frontier": {x: (d.timestamps[x], d.prefix_root(x)) for x in k.frontier(m)}}


def run_op(ctx, op, req, last):
    k.update_view(ctx, last)
    if op == "update_view":
        return {"status": "ok"}
    if op == "gv_search":
        return k.gv_search(ctx, req["version"])
    if op == "fv_search":
        return k.fv_search(ctx, req["version"])
    if op == "contact_monitor":
        return {"status": "ok", "monitor": k.contact_monitor(ctx, req["monitor_map"])}
    if op == "owner_init":
        return k.owner_init(ctx, req["start"], req.get("greatest_versions"))
    if op == "owner_monitor":
        return k.owner_monitor(ctx, req["monitor_map"], req["start"], req["greatest_version"],
                               req["owner_versions"])
    if op == "update":
        return k.update_label(ctx, req["position"], req["prev_greatest"], req["prev_position"],
                              req["start"], req["new_versions"])
    if op == "walk":
        return k.walk_distinguished(ctx, req["stop"], req["recent"])
    raise ValueError(op)


def label_info(d, label, versions, n):
    g = d.greatest(label, n - 1)
    return {v: (d.key(label, v), d.commitment(label, v) if g is not None and v <= g else None)
            for v in versions}


def verify(sc, n, label, op, req, last, info, retained, proof_bytes, tree_root):
    name, rmw, ml, _ = sc
    ctx = k.Context(n, rmw, ml, label, proof=k.decode_combined(proof_bytes), label_info=info,
                    retained=retained)
    res = run_op(ctx, op, req, last)
    state = ctx.finish(tree_root)
    return res, state


def jsonable(res):
    out = {}
    for key, v in res.items():
        if key == "monitor":
            v = [{"position": p, "version": ver} for p, ver in sorted(v.items())]
        out[key] = v
    return out


def mutations(p):
    out = []
    if p["timestamps"]:
        q = dict(p, timestamps=list(p["timestamps"]))
        i = max(i for i, t in enumerate(q["timestamps"]) if t > 0) if any(q["timestamps"]) else None
        if i is not None:
            q["timestamps"][i] -= 1
            out.append(("timestamp_decreased", q))
    pps = [i for i, pp in enumerate(p["prefix_proofs"]) if pp["elements"]]
    if pps:
        q = dict(p, prefix_proofs=[dict(pp, elements=list(pp["elements"])) for pp in p["prefix_proofs"]])
        el = q["prefix_proofs"][pps[0]]["elements"]
        el[0] = bytes([el[0][0] ^ 1]) + el[0][1:]
        out.append(("prefix_element_changed", q))
        q = dict(p, prefix_proofs=[dict(pp, elements=list(pp["elements"])) for pp in p["prefix_proofs"]])
        q["prefix_proofs"][pps[-1]]["elements"].pop()
        out.append(("prefix_element_missing", q))
    if p["inclusion"]:
        q = dict(p, inclusion=list(p["inclusion"]))
        q["inclusion"][-1] = bytes([q["inclusion"][-1][0] ^ 0x80]) + q["inclusion"][-1][1:]
        out.append(("inclusion_element_changed", q))
        q = dict(p, inclusion=p["inclusion"][:-1])
        out.append(("inclusion_element_missing", q))
    out.append(("inclusion_element_extra", dict(p, inclusion=p["inclusion"] + [bytes(32)])))
    if p["prefix_roots"]:
        out.append(("prefix_root_extra", dict(p, prefix_roots=p["prefix_roots"] + [bytes(32)])))
    if p["prefix_proofs"]:
        q = dict(p, prefix_proofs=p["prefix_proofs"] + [p["prefix_proofs"][-1]])
        out.append(("prefix_proof_extra", q))
    return out


class Selector:
    """Keeps at most `cap` cases per feature signature so the file stays small, and adds the
    negative (mutated) variants for the first kept case of each (scenario, operation, last?)."""

    def __init__(self, cap=2):
        self.cap = cap
        self.cases = []
        self.seen = {}
        self.neg_done = set()
        self.stats = {}


def signature(sc_name, op, last, proof, res):
    sig = [sc_name, op, res["status"], last is None, min(len(proof["prefix_proofs"]), 3)]
    if op == "update":
        sig.append(res["distinguished"])
    if op in ("gv_search", "fv_search", "contact_monitor", "owner_monitor"):
        sig.append(len(res["monitor"]))
    if op == "owner_monitor":
        sig.append(min(len(res["checked"]), 2))
    if op == "walk":
        sig.append(min(len(res["visited"]), 3))
    if op == "fv_search":
        sig.append(res["step"])
    return tuple(sig)


def make_case(sc, d, n, label, op, req, last, sel, negatives=True, expect=None):
    name, rmw, ml, _ = sc
    retained = retained_for(d, last)
    pctx = k.Context(n, rmw, ml, label, directory=d, retained=retained)
    try:
        pres = run_op(pctx, op, dict(req), last)
    except k.VerifyFailed:
        return None  # a request the Transparency Log would refuse
    proof = pctx.finish()
    enc = k.encode_combined(proof)
    assert k.decode_combined(enc) == proof
    vreq = dict(req)
    if op == "owner_init":
        vreq["greatest_versions"] = pres["greatest_versions"]
    info = label_info(d, label, sorted(pctx.touched_versions), n)
    tree_root = k.log_root(d.leaves(n))
    vres, state = verify(sc, n, label, op, vreq, last, info, retained, enc, tree_root)
    assert vres == pres, (op, req, vres, pres)
    assert state["root"] == tree_root
    sel.stats[op] = sel.stats.get(op, 0) + 1
    if expect is not None:
        expect(proof, vres)
    sig = signature(name, op, last, proof, vres)
    if expect is None and sel.seen.get(sig, 0) >= sel.cap:
        return None
    sel.seen[sig] = sel.seen.get(sig, 0) + 1
    base = {
        "scenario": name, "operation": op, "tree_size": n, "last": last,
        "retained": None if retained is None else {
            "full_subtrees": [h(x) for x in retained["full_subtrees"]],
            "frontier": [{"index": x, "timestamp": t, "prefix_root": h(r)}
                         for x, (t, r) in sorted(retained["frontier"].items())]},
        "label": h(label),
        "request": {key: (v if key != "monitor_map" else
                          [{"position": p, "version": ver} for p, ver in sorted(v.items())])
                    for key, v in vreq.items()},
        "label_versions": [{"version": v, "vrf_output": h(key_), "commitment": None if c is None else h(c)}
                           for v, (key_, c) in sorted(info.items())],
        "tree_head_root": h(tree_root),
    }
    out = dict(base, proof=h(enc), expected=dict(jsonable(vres), root=h(state["root"]),
               full_subtrees=[h(x) for x in state["full_subtrees"]],
               frontier=[{"index": x, "timestamp": t, "prefix_root": h(r)} for x, t, r in state["frontier"]]))
    sel.cases.append(out)
    nkey = (name, op, last is None)
    if nkey not in sel.neg_done:
        sel.neg_done.add(nkey)
        for mname, q in mutations(proof):
            qenc = k.encode_combined(q)
            try:
                verify(sc, n, label, op, vreq, last, info, retained, qenc, tree_root)
                continue  # not detected: not a useful negative
            except k.VerifyFailed:
                pass
            sel.cases.append(dict(base, proof=h(qenc), mutation=mname,
                                  expected={"status": "verify_failed"}))
            sel.stats["negative"] = sel.stats.get("negative", 0) + 1
    if retained is not None:
        retained_negatives(sc, n, label, op, vreq, last, info, retained, enc, tree_root, base, pctx, sel)
    return out


def retained_negatives(sc, n, label, op, vreq, last, info, retained, enc, tree_root, base, pctx, sel):
    """The user's retained state altered: a retained entry that got a PrefixProof (its root must
    match), and a retained full subtree (always needed for the new root)."""
    variants = []
    proved = sorted(x for x in retained["frontier"] if x in pctx.proved)
    for x in proved[:1]:
        fr = dict(retained["frontier"])
        t, r = fr[x]
        fr[x] = (t, k.sha256(r))
        variants.append(("retained_prefix_root_changed", dict(retained, frontier=fr)))
    fs = list(retained["full_subtrees"])
    fs[0] = k.sha256(fs[0])
    variants.append(("retained_subtree_changed", dict(retained, full_subtrees=fs)))
    for name, ret in variants:
        key = (sc[0], op, name)
        if key in sel.neg_done:
            continue
        try:
            verify(sc, n, label, op, vreq, last, info, ret, enc, tree_root)
            continue
        except k.VerifyFailed:
            pass
        sel.neg_done.add(key)
        rj = {"full_subtrees": [h(v) for v in ret["full_subtrees"]],
              "frontier": [{"index": x, "timestamp": t, "prefix_root": h(r)}
                           for x, (t, r) in sorted(ret["frontier"].items())]}
        sel.cases.append(dict(base, retained=rj, proof=h(enc), mutation=name,
                              expected={"status": "verify_failed"}))
        sel.stats["negative"] = sel.stats.get("negative", 0) + 1


def add_malformed(sc, case, sel):
    """TLS-level breakage of a valid proof: the strict decoder must reject it (kMalformed)."""
    enc = bytes.fromhex(case["proof"])
    p = k.decode_combined(enc)
    nts = 1 + 8 * len(p["timestamps"])
    first_pp = nts + 1  # PrefixProof[0].results count; result_type of results[0] follows
    variants = [("trailing_byte", enc + b"\x00"), ("truncated", enc[:-1]),
                ("result_type_0", enc[:first_pp + 1] + b"\x00" + enc[first_pp + 2:]),
                ("result_type_4", enc[:first_pp + 1] + b"\x04" + enc[first_pp + 2:]),
                ("timestamps_count_too_large", bytes([enc[0] + 1]) + enc[1:])]
    for name, bad in variants:
        try:
            k.decode_combined(bad)
            raise AssertionError(name)
        except k.Malformed:
            pass
        sel.cases.append(dict(case, proof=bad.hex(), mutation=name, expected={"status": "malformed"}))
        sel.stats["malformed"] = sel.stats.get("malformed", 0) + 1


def gen(write):
    sel = Selector()
    scenarios = []

    # --- appendix worked example (exact) ---
    sc = scenario_appendix()
    d = build(sc)

    def check_appendix(proof, res):
        ts = d.timestamps
        assert proof["timestamps"] == [ts[7], ts[11], ts[12]]
        assert [len(pp["results"]) for pp in proof["prefix_proofs"]] == [4, 1]
        assert [r[0] for r in proof["prefix_proofs"][0]["results"]] == [1, 1, 3, 1] or \
            [r[0] for r in proof["prefix_proofs"][0]["results"]][2] != 1
        assert proof["prefix_roots"] == [d.prefix_root(7)]
        lv = d.leaves(13)
        assert proof["inclusion"] == [k.log_node(lv, 4, 6), lv[6], k.log_node(lv, 8, 10), lv[10]]
        assert res["terminal"] == 11

    ex = make_case(sc, d, 13, b"alice", "gv_search", {"version": 2}, 4, sel, True, check_appendix)
    add_malformed(sc, ex, sel)
    scenarios.append((sc, d))
    scenarios.append((scenario_lifetime(), None))
    scenarios.append((scenario_busy(), None))
    scenarios = [(s, dd or build(s)) for s, dd in scenarios]

    for sc, d in scenarios:
        name, rmw, ml, hist = sc
        N = len(hist)
        labels = sorted(d.versions)
        sizes = sorted({N, N - 1, N // 2 + 1})
        for n in sizes:
            lasts = [None] + sorted({1, n // 3 or 1, n - 1, n // 2} - {0})
            for last in lasts:
                if last is not None and last > n:
                    continue
                neg = (last in (None, n // 2)) and n == N
                make_case(sc, d, n, b"", "update_view", {}, last, sel, neg)
                for label in labels + [b"nobody"]:
                    g = d.greatest(label, n - 1)
                    if g is not None:
                        make_case(sc, d, n, label, "gv_search", {"version": g}, last, sel, neg)
                    for v in sorted({0, 1, (g or 0), (g or 0) + 1, 2 ** 32 - 1}):
                        make_case(sc, d, n, label, "fv_search", {"version": v}, last, sel,
                                  neg and v == (g or 0))
        n = N
        # walks
        for stop in [None, 0, n // 2, n - 2]:
            for recent in [1, 2 * rmw, 10 ** 9]:
                make_case(sc, d, n, b"", "walk", {"stop": stop, "recent": recent}, None, sel,
                          stop is None and recent == 2 * rmw)
        # contact monitoring: maps from searches in an earlier view.
        for label in labels:
            for m in range(max(2, n // 2), n):
                mmap = {}
                for v in range(0, (d.greatest(label, m - 1) or -1) + 1):
                    c = k.Context(m, rmw, ml, label, directory=d)
                    k.update_view(c, None)
                    r = k.fv_search(c, v)
                    for p_, ver in r["monitor"].items():
                        if p_ not in mmap and ver not in mmap.values():
                            mmap[p_] = ver
                if not mmap:
                    continue
                for n2 in sorted({m, m + 1, m + 2, n}):
                    for last in [None, m]:
                        if n2 <= n:
                            make_case(sc, d, n2, label, "contact_monitor", {"monitor_map": mmap},
                                      last, sel)
        # owner init at every distinguished entry (the prover refuses expired ones).
        dist = k.distinguished(d.timestamps[:n], rmw)
        for label in labels[:3] + [b"nobody"]:
            for start in dist:
                make_case(sc, d, n, label, "owner_init", {"start": start}, None, sel,
                          start == dist[len(dist) // 2])
        # updates: every insertion event, verified in several later views.
        events = {}
        for label, vs in d.versions.items():
            for v, p in vs:
                events.setdefault((label, p), []).append(v)
        for (label, p), news in sorted(events.items(), key=lambda e: (e[0][1], e[0][0])):
            prev = [(v, pp) for v, pp in d.versions[label] if pp < p]
            pg = prev[-1][0] if prev else None
            ppos = prev[-1][1] if prev else None
            for nn in sorted({p + 1, min(n, p + 3), n}):
                for start in [0, max(0, p - 4)]:
                    make_case(sc, d, nn, label, "update",
                              {"position": p, "prev_greatest": pg, "prev_position": ppos,
                               "start": start, "new_versions": news}, None, sel,
                              nn == n and start == 0)
                    if nn > 1:
                        make_case(sc, d, nn, label, "update",
                                  {"position": p, "prev_greatest": pg, "prev_position": ppos,
                                   "start": start, "new_versions": news}, nn - 1 if nn - 1 > 0 else None,
                                  sel)
        # owner monitoring
        for label in labels[:3]:
            allv = d.versions[label]
            for start in dist[:3] + dist[-2:]:
                for known in sorted({allv[-1][0], allv[len(allv) // 2][0]}):
                    ov = [(v, p) for v, p in allv if v <= known]
                    gs = d.greatest(label, start)
                    if gs is not None and gs > known:
                        continue
                    for mmap in [{}, {ov[-1][1]: ov[-1][0]}]:
                        if mmap and k.distinguished(d.timestamps[:n], rmw).count(ov[-1][1]):
                            continue
                        make_case(sc, d, n, label, "owner_monitor",
                                  {"monitor_map": mmap, "start": start, "greatest_version": known,
                                   "owner_versions": ov}, None, sel, not mmap and start == dist[0])
    write_cases = sel.cases
    stats = sel.stats
    desc = ("CombinedTreeProof: prover output (TLS hex) for each scenario/operation and the "
            "verifier's outputs; negative cases (mutation) must fail with verify_failed.")
    sc_json = []
    for sc, d in scenarios:
        name, rmw, ml, hist = sc
        sc_json.append({"name": name, "rmw": rmw, "maximum_lifetime": ml, "entries": [
            {"timestamp": t, "updates": [{"label": h(lb), "count": c} for lb, c in u],
             "prefix_root": h(d.prefix_root(i))} for i, (t, u) in enumerate(hist)]})
    write("combined_tree", desc, write_cases, {"scenarios": sc_json})
    print("combined stats:", stats)
