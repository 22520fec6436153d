"""Re-checks tests/vectors/kt/*.json from the JSON alone with the model's VERIFIER side.

Usage: python3 tests/kt/model/check_vectors.py    Prints "cases run / passed" per file; exit 1 on
any failure or on a file with zero cases.
"""

import json
import os
import sys

import ktmodel as k

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "vectors", "kt")
b = bytes.fromhex


def check_implicit(c):
    n = c["n"]
    ok = k.root(n) == c["root"] and k.frontier(n) == c["frontier"]
    for nd in c.get("nodes", []):
        x = nd["x"]
        ok &= nd["level"] == k.level(x)
        ok &= nd["left"] == (k.left(x) if k.has_left(x) else None)
        ok &= nd["right"] == (k.right(x, n) if k.has_right(x, n) else None)
        ok &= nd["direct_path"] == k.direct_path(x, n)
    return ok


def check_ladder(c):
    if c["kind"] == "base":
        return k.base_binary_ladder(c["n"]) == c["versions"]
    if c["kind"] == "monitoring":
        return k.monitoring_binary_ladder(c["t"]) == c["versions"]
    return k.search_binary_ladder(c["t"], c["n"], c["left_inclusion"], c["right_non_inclusion"]) == c["versions"]


def check_dist(c):
    return k.distinguished(c["timestamps"], c["rmw"]) == c["distinguished"]


def check_commitment(c):
    if c["kind"] == "commitment":
        args = (b(c["opening"]), b(c["label"]), c["version"], b(c["value"]))
        return (k.commitment_value(*args).hex() == c["commitment_value"]
                and k.commitment(*args).hex() == c["commitment"])
    if c["kind"] == "log_entry":
        return k.log_entry_value(c["timestamp"], b(c["prefix_root"])).hex() == c["leaf_value"]
    return k.fake_vrf_output(b(c["label"]), c["version"]).hex() == c["vrf_output"]


def check_log(c):
    leaves = [b(x) for x in c["leaves"]]
    n = c["n"]
    ok = k.log_root(leaves).hex() == c["root"]
    for p in c["proofs"]:
        out = k.log_batch_verify(n, p["old_size"], [b(x) for x in p["retained"]],
                                 {x: leaves[x] for x in p["leaves"]},
                                 [b(x) for x in p["elements"]], p.get("auditor_size", 0))
        root, subs = out[0], out[1]
        if "auditor_size" in p:
            ok &= out[2].hex() == p["auditor_root"] == k.log_root(leaves[:p["auditor_size"]]).hex()
        ok &= root.hex() == p["root"] == c["root"]
        ok &= [subs[s].hex() for s in k.full_subtrees(n)] == [f["value"] for f in c["full_subtrees"]]
    return ok


def check_prefix(c):
    comm = {e["key"]: b(e["commitment"]) for e in c["entries"]}
    ok = k.node_value(k.build_prefix_tree({b(a): v for a, v in comm.items()})).hex() == c["root"]
    for lk in c["lookups"]:
        r = k.Reader(b(lk["proof"]))
        proof = k.decode_prefix_proof(r)
        r.end("PrefixProof")
        ok &= [x[0] for x in proof["results"]] == lk["result_types"]
        got = k.prefix_evaluate(proof, [b(x) for x in lk["keys"]], [comm.get(x) for x in lk["keys"]])
        ok &= got.hex() == lk["root"] == c["root"]
    return ok


def check_combined(c, scenarios):
    import combined
    sc = scenarios[c["scenario"]]
    req = dict(c["request"])
    if "monitor_map" in req:
        req["monitor_map"] = {e["position"]: e["version"] for e in req["monitor_map"]}
    if "owner_versions" in req:
        req["owner_versions"] = [tuple(x) for x in req["owner_versions"]]
    ret = None
    if c["retained"] is not None:
        ret = {"size": c["last"], "full_subtrees": [b(x) for x in c["retained"]["full_subtrees"]],
               "frontier": {f["index"]: (f["timestamp"], b(f["prefix_root"]))
                            for f in c["retained"]["frontier"]}}
    info = {v["version"]: (b(v["vrf_output"]), None if v["commitment"] is None else b(v["commitment"]))
            for v in c["label_versions"]}
    exp = c["expected"]
    try:
        res, state = combined.verify((sc["name"], sc["rmw"], sc["maximum_lifetime"], None),
                                     c["tree_size"], b(c["label"]), c["operation"], req, c["last"],
                                     info, ret, b(c["proof"]), b(c["tree_head_root"]))
    except k.VerifyFailed:
        return exp["status"] == "verify_failed"
    except k.Malformed:
        return exp["status"] == "malformed"
    got = dict(combined.jsonable(res), root=state["root"].hex(),
               full_subtrees=[x.hex() for x in state["full_subtrees"]],
               frontier=[{"index": x, "timestamp": t, "prefix_root": r.hex()} for x, t, r in state["frontier"]])
    return got == exp


def main():
    checks = {"implicit_tree": check_implicit, "binary_ladder": check_ladder,
              "distinguished": check_dist, "commitment": check_commitment, "log_tree": check_log,
              "prefix_tree": check_prefix, "combined_tree": None}
    bad = False
    for stem, fn in checks.items():
        with open(os.path.join(DIR, stem + ".json")) as f:
            data = json.load(f)
        if stem == "combined_tree":
            scen = {s["name"]: s for s in data["scenarios"]}
            fn = lambda c, scen=scen: check_combined(c, scen)  # noqa: E731
        passed = sum(1 for c in data["cases"] if fn(c))
        run = len(data["cases"])
        print(f"{stem}.json: cases run {run} / passed {passed}")
        bad |= run == 0 or passed != run
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
