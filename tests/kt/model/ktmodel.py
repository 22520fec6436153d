"""Independent Python reference model of draft-ietf-keytrans-protocol (KEYTRANS).

A test tool, written from the draft only (pure Python 3.11 stdlib). It follows the
interpretation decisions of the Candor KT layer (see tests/vectors/kt/README.md):
SHA-256, Nh = 32, Nc = 16, Kc fixed, VRF.Nh = 32. VRF evaluation is out of scope:
callers supply VRF outputs.
"""

import hashlib
import hmac
import struct

NH = 32
NC = 16
KC = bytes.fromhex("d821f8790d97709796b4d7903357c3f5")
MAX_VERSION = (1 << 32) - 1
ZERO = bytes(NH)


def sha256(data):
    return hashlib.sha256(data).digest()


class VerifyFailed(Exception):
    """The verifier rejects the proof (kVerifyFailed in the C++ layer)."""


class Malformed(Exception):
    """A TLS decoding error (kMalformed in the C++ layer)."""


# ---------------------------------------------------------------------------
# TLS presentation helpers (vector lengths in elements, draft "Presentation Language").

def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


class Reader:
    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n, field):
        if self.pos + n > len(self.data):
            raise Malformed(field)
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def uint(self, size, field):
        return int.from_bytes(self.take(size, field), "big")

    def end(self, field):
        if self.pos != len(self.data):
            raise Malformed(field)


# ---------------------------------------------------------------------------
# Implicit binary search tree (draft appendix "Implicit Binary Search Tree").

def log2(x):
    if x == 0:
        return 0
    k = 0
    while (x >> k) > 0:
        k += 1
    return k - 1


def level(x):
    if x & 0x01 == 0:
        return 0
    k = 0
    while ((x >> k) & 0x01) == 1:
        k += 1
    return k


def root(n):
    return (1 << log2(n)) - 1


def left(x):
    k = level(x)
    if k == 0:
        raise ValueError("node has no left child")
    return x ^ (0x01 << (k - 1))


def right(x, n):
    k = level(x)
    if k == 0 or x == n - 1:
        raise ValueError("node has no right child")
    x = x ^ (0x03 << (k - 1))
    while x >= n:
        x = left(x)
    return x


def has_left(x):
    return level(x) > 0


def has_right(x, n):
    return level(x) > 0 and x != n - 1


def frontier(n):
    out = [root(n)]
    while out[-1] != n - 1:
        out.append(right(out[-1], n))
    return out


def direct_path(x, n):
    """Ancestors of x in the implicit tree of size n, root first, ending at x's parent."""
    out = []
    y = root(n)
    while y != x:
        out.append(y)
        y = left(y) if x < y else right(y, n)
    return out


# ---------------------------------------------------------------------------
# Binary ladders (draft appendix "Binary Ladder", verbatim semantics).

def base_binary_ladder(n):
    if n < 0:  # no version exists: the first lookup (version 0) fails
        return [0]
    out = []
    while True:
        value = (1 << len(out)) - 1
        out.append(value)
        if value > n:
            break
    lower_bound = out[-2]
    upper_bound = out[-1]
    while lower_bound + 1 < upper_bound:
        value = (lower_bound + upper_bound) // 2
        out.append(value)
        if value <= n and value < (1 << 32):
            lower_bound = value
        else:
            upper_bound = value
    return [v for v in out if v < (1 << 32)]


def search_binary_ladder(t, n, left_inclusion=(), right_non_inclusion=()):
    def would_end(v):
        return (v <= n and v > t) or (v > n and v <= t)

    def would_be_duplicate(v):
        return (v in left_inclusion) or (v in right_non_inclusion)

    out = base_binary_ladder(n)
    end = next((i + 1 for i, v in enumerate(out) if would_end(v)), len(out))
    return [v for v in out[:end] if not would_be_duplicate(v)]


def monitoring_binary_ladder(t):
    return [v for v in base_binary_ladder(t) if v <= t]


def run_ladder(ask, stop=None):
    """The base binary ladder executed interactively: ask(v) returns whether version v
    is included. stop(v, included) ends the ladder after v. Versions above 2^32-1 are not
    looked up and count as non-inclusion. Returns [(version, included)]."""
    out = []

    def look(v):
        if v > MAX_VERSION:
            return False
        inc = ask(v)
        out.append((v, inc))
        return inc

    def ends(v, inc):
        return stop is not None and v <= MAX_VERSION and stop(v, inc)

    k = 0
    lower = None
    while True:
        v = (1 << k) - 1
        inc = look(v)
        if ends(v, inc):
            return out
        if not inc:
            break
        lower = v
        k += 1
    upper = v
    if lower is None:
        return out
    while lower + 1 < upper:
        v = (lower + upper) // 2
        inc = look(v)
        if ends(v, inc):
            return out
        if inc:
            lower = v
        else:
            upper = v
    return out


def search_stop(t):
    return lambda v, inc: (inc and v > t) or (not inc and v <= t)


# ---------------------------------------------------------------------------
# Distinguished log entries (draft "Reasonable Monitoring Window", recursive algorithm).

def distinguished(timestamps, rmw):
    n = len(timestamps)
    out = []

    def rec(x, lo, hi):
        if hi - lo < rmw:
            return
        out.append(x)
        if has_left(x):
            rec(left(x), lo, timestamps[x])
        if has_right(x, n):
            rec(right(x, n), timestamps[x], hi)

    rec(root(n), 0, timestamps[n - 1])
    return sorted(out)


# ---------------------------------------------------------------------------
# Commitments and VRF inputs (draft "Commitment", "Update Format", "Verifiable Random Function").

def vrf_input(label, version):
    return u8(len(label)) + label + u32(version)


def fake_vrf_output(label, version):
    """NOT a VRF: the vectors' stand-in search key, SHA-256(VrfInput)."""
    return sha256(vrf_input(label, version))


def update_value(value, suffix=b""):
    return u32(len(value)) + value + suffix


def commitment_value(opening, label, version, value):
    assert len(opening) == NC
    return opening + u8(len(label)) + label + u32(version) + update_value(value)


def commitment(opening, label, version, value):
    return hmac.new(KC, commitment_value(opening, label, version, value), hashlib.sha256).digest()


def log_entry_value(timestamp, prefix_root):
    return sha256(u64(timestamp) + prefix_root)


# ---------------------------------------------------------------------------
# Log tree (left-balanced; kt-context point 3).

def split(size):
    """Size of the left child of a node with `size` leaves (largest power of 2 < size)."""
    k = 1
    while k * 2 < size:
        k *= 2
    return k


def is_balanced(size):
    return size & (size - 1) == 0


def log_parent(left_val, left_is_leaf, right_val, right_is_leaf):
    return sha256((b"\x00" if left_is_leaf else b"\x01") + left_val +
                  (b"\x00" if right_is_leaf else b"\x01") + right_val)


def log_node(leaves, lo, hi):
    if hi - lo == 1:
        return leaves[lo]
    k = split(hi - lo)
    return log_parent(log_node(leaves, lo, lo + k), k == 1,
                      log_node(leaves, lo + k, hi), hi - lo - k == 1)


def log_root(leaves):
    return log_node(leaves, 0, len(leaves))


def full_subtrees(n):
    """[(lo, hi)] of the full subtrees of a size-n log, left to right."""
    out = []
    lo = 0
    for bit in reversed(range(64)):
        if n & (1 << bit):
            out.append((lo, lo + (1 << bit)))
            lo += 1 << bit
    return out


def _batch(n, m, requested, visit_emit, visit_leaf, visit_retained, check_retained,
           note=lambda lo, hi, v: v, auditor=0):
    """auditor: the tree size of an AuditorTreeHead (0 = none). The proof must also yield the
    root at that size, so a node with lo < auditor < hi is always split (its own value would
    hide the full subtrees of the auditor's tree that it contains)."""
    retained = {r: i for i, r in enumerate(full_subtrees(m))} if m else {}

    def contains_retained(lo, hi):
        return any(lo <= a and b <= hi for (a, b) in retained)

    def rec(lo, hi):
        has_req = any(lo <= x < hi for x in requested)
        straddles = lo < auditor < hi
        if (lo, hi) in retained and not has_req and not straddles:
            return visit_retained(lo, hi)
        if not has_req and not straddles and not contains_retained(lo, hi) \
                and is_balanced(hi - lo):
            return visit_emit(lo, hi)
        if hi - lo == 1:
            return visit_leaf(lo)
        k = split(hi - lo)
        value = log_parent(rec(lo, lo + k), k == 1, rec(lo + k, hi), hi - lo - k == 1)
        if (lo, hi) in retained:
            check_retained(lo, hi, value)
        return note(lo, hi, value)

    return rec


def log_batch_prove(leaves, m, requested, auditor=0):
    n = len(leaves)
    elements = []

    def emit(lo, hi):
        v = log_node(leaves, lo, hi)
        elements.append(v)
        return v

    rec = _batch(n, m, set(requested), emit, lambda x: leaves[x],
                 lambda lo, hi: log_node(leaves, lo, hi), lambda lo, hi, v: None,
                 auditor=auditor)
    rec(0, n)
    return elements


def root_from_full_subtrees(ranges, values):
    """Root of a log tree from the values of its full subtrees (left-balanced: each hangs off
    the right spine)."""
    acc, acc_leaf = values[-1], ranges[-1][1] - ranges[-1][0] == 1
    for (lo, hi), v in zip(reversed(ranges[:-1]), reversed(values[:-1])):
        acc, acc_leaf = log_parent(v, hi - lo == 1, acc, acc_leaf), False
    return acc


def log_batch_verify(n, m, retained_values, leaf_values, elements, auditor=0):
    """leaf_values: {index: value}. retained_values: values of full_subtrees(m).
    Returns (root, {(lo, hi): value} for the full subtrees of n); with auditor > 0 returns
    (root, subtrees, root at size auditor)."""
    if m is not None and not 0 < m <= n:
        raise VerifyFailed("old size")
    if not 0 <= auditor <= n:
        raise VerifyFailed("auditor size")
    if any(not 0 <= x < n for x in leaf_values):
        raise VerifyFailed("leaf index")
    ret = dict(zip(full_subtrees(m), retained_values)) if m else {}
    queue = list(elements)
    seen = {}
    wanted = set(full_subtrees(n)) | set(full_subtrees(auditor))

    def note(lo, hi, v):
        if (lo, hi) in wanted:
            seen[(lo, hi)] = v
        return v

    def emit(lo, hi):
        if not queue:
            raise VerifyFailed("too few elements")
        return note(lo, hi, queue.pop(0))

    def leaf(x):
        if x not in leaf_values:
            raise VerifyFailed("missing leaf")
        return note(x, x + 1, leaf_values[x])

    def retained(lo, hi):
        return note(lo, hi, ret[(lo, hi)])

    def check(lo, hi, v):
        if not hmac.compare_digest(v, ret[(lo, hi)]):
            raise VerifyFailed("retained subtree mismatch")

    rec = _batch(n, m, set(leaf_values), emit, leaf, retained, check, note, auditor=auditor)
    value = rec(0, n)
    if queue:
        raise VerifyFailed("too many elements")
    subtrees = {s: seen[s] for s in full_subtrees(n)}
    if not auditor:
        return value, subtrees
    audited = full_subtrees(auditor)
    return value, subtrees, root_from_full_subtrees(audited, [seen[s] for s in audited])


# ---------------------------------------------------------------------------
# Prefix tree (kt-context point 2). Nodes: None (missing), ("leaf", key, commit, value),
# ("parent", left, right, value).

INCLUSION, NON_INCLUSION_LEAF, NON_INCLUSION_PARENT = 1, 2, 3


def bit(key, i):
    return (key[i // 8] >> (7 - i % 8)) & 1


def node_value(node):
    return ZERO if node is None else node[-1]


def leaf_value(key, commit):
    return sha256(b"\x02" + key + commit)


def prefix_parent_value(lv, rv):
    return sha256(b"\x03" + lv + rv)


def build_prefix_tree(entries):
    """entries: {key: commitment}. Returns the root node (always a parent)."""
    def parent(items, d):
        l = child([it for it in items if bit(it[0], d) == 0], d + 1)
        r = child([it for it in items if bit(it[0], d) == 1], d + 1)
        return ("parent", l, r, prefix_parent_value(node_value(l), node_value(r)))

    def child(items, d):
        if not items:
            return None
        if len(items) == 1:
            k, c = items[0]
            return ("leaf", k, c, leaf_value(k, c))
        return parent(items, d)

    return parent(sorted(entries.items()), 0)


def prefix_search(tree, key):
    """Returns (result_type, depth, leaf_or_None)."""
    node, d = tree, 0
    while True:
        node = node[1] if bit(key, d) == 0 else node[2]
        d += 1
        if node is None:
            return NON_INCLUSION_PARENT, d, None
        if node[0] == "leaf":
            if node[1] == key:
                return INCLUSION, d, None
            return NON_INCLUSION_LEAF, d, (node[1], node[2])


def prefix_prove(tree, keys):
    """Batch PrefixProof: {"results": [(type, depth, leaf)], "elements": [..]}."""
    results = [prefix_search(tree, k) for k in keys]
    for r in results:
        if r[1] > 255:
            raise ValueError("depth 256 does not fit PrefixSearchResult.depth (uint8)")
    elements = []

    def rec(node, d, ks):
        if any(r[1] == d for k, r in ks):
            return
        if not ks:
            elements.append(node_value(node))
            return
        rec(node[1], d + 1, [(k, r) for k, r in ks if bit(k, d) == 0])
        rec(node[2], d + 1, [(k, r) for k, r in ks if bit(k, d) == 1])

    rec(tree, 0, list(zip(keys, results)))
    return {"results": results, "elements": elements}


def prefix_evaluate(proof, keys, commitments):
    """Verifier: keys[i] is the search key of results[i]; commitments[i] the commitment
    for inclusion results (else ignored). Returns the candidate root value."""
    results = proof["results"]
    if len(results) != len(keys):
        raise VerifyFailed("result count")
    terms = []
    for key, (rtype, depth, leaf), c in zip(keys, results, commitments):
        if not 1 <= depth <= 255:
            raise VerifyFailed("depth")
        if rtype == INCLUSION:
            if c is None:
                raise VerifyFailed("no commitment for included version")
            val = leaf_value(key, c)
        elif rtype == NON_INCLUSION_LEAF:
            lkey, lcommit = leaf
            if lkey == key or any(bit(lkey, i) != bit(key, i) for i in range(depth)):
                raise VerifyFailed("leaf not on the search path")
            val = leaf_value(lkey, lcommit)
        elif rtype == NON_INCLUSION_PARENT:
            val = ZERO
        else:
            raise VerifyFailed("result type")
        terms.append((key, depth, val))
    queue = list(proof["elements"])

    def rec(d, ts):
        if not ts:
            if not queue:
                raise VerifyFailed("too few elements")
            return queue.pop(0)
        here = [t for t in ts if t[1] == d]
        if here:
            if len(here) != len(ts) or any(t[2] != here[0][2] for t in ts):
                raise VerifyFailed("inconsistent terminal node")
            return here[0][2]
        lv = rec(d + 1, [t for t in ts if bit(t[0], d) == 0])
        rv = rec(d + 1, [t for t in ts if bit(t[0], d) == 1])
        return prefix_parent_value(lv, rv)

    value = rec(0, terms)
    if queue:
        raise VerifyFailed("too many elements")
    return value


def encode_prefix_proof(p):
    out = u8(len(p["results"]))
    for rtype, depth, leaf in p["results"]:
        out += u8(rtype)
        if rtype == NON_INCLUSION_LEAF:
            out += leaf[0] + leaf[1]
        out += u8(depth)
    out += u16(len(p["elements"])) + b"".join(p["elements"])
    return out


def decode_prefix_proof(r):
    results = []
    for _ in range(r.uint(1, "PrefixProof.results")):
        rtype = r.uint(1, "PrefixSearchResult.result_type")
        if rtype not in (1, 2, 3):
            raise Malformed("PrefixSearchResult.result_type")
        leaf = None
        if rtype == NON_INCLUSION_LEAF:
            leaf = (r.take(NH, "PrefixLeaf.vrf_output"), r.take(NH, "PrefixLeaf.commitment"))
        results.append((rtype, r.uint(1, "PrefixSearchResult.depth"), leaf))
    elements = [r.take(NH, "PrefixProof.elements") for _ in range(r.uint(2, "PrefixProof.elements"))]
    return {"results": results, "elements": elements}


def encode_combined(p):
    out = u8(len(p["timestamps"])) + b"".join(u64(t) for t in p["timestamps"])
    out += u8(len(p["prefix_proofs"])) + b"".join(encode_prefix_proof(x) for x in p["prefix_proofs"])
    out += u8(len(p["prefix_roots"])) + b"".join(p["prefix_roots"])
    out += u16(len(p["inclusion"])) + b"".join(p["inclusion"])
    return out


def decode_combined(data):
    r = Reader(data)
    ts = [r.uint(8, "CombinedTreeProof.timestamps") for _ in range(r.uint(1, "CombinedTreeProof.timestamps"))]
    pps = [decode_prefix_proof(r) for _ in range(r.uint(1, "CombinedTreeProof.prefix_proofs"))]
    roots = [r.take(NH, "CombinedTreeProof.prefix_roots") for _ in range(r.uint(1, "CombinedTreeProof.prefix_roots"))]
    inc = [r.take(NH, "InclusionProof.elements") for _ in range(r.uint(2, "InclusionProof.elements"))]
    r.end("CombinedTreeProof")
    return {"timestamps": ts, "prefix_proofs": pps, "prefix_roots": roots, "inclusion": inc}


# ---------------------------------------------------------------------------
# Directory: the Transparency Log's data (prover side).

class Directory:
    def __init__(self, rmw, max_lifetime=None):
        self.rmw = rmw
        self.max_lifetime = max_lifetime
        self.timestamps = []
        self.entries = {}          # key -> commitment (cumulative)
        self.trees = []            # prefix tree root node per log entry
        self.versions = {}         # label -> [(version, position)]
        self.vrf = {}              # (label, version) -> key

    def opening(self, label, version):
        return sha256(b"opening" + vrf_input(label, version))[:NC]

    def value(self, label, version):
        return b"value " + label + b" v" + str(version).encode()

    def key(self, label, version):
        return fake_vrf_output(label, version)

    def commitment(self, label, version):
        return commitment(self.opening(label, version), label, version, self.value(label, version))

    def append(self, timestamp, updates):
        """updates: [(label, count)] -- count new versions of label, in order."""
        pos = len(self.timestamps)
        for label, count in updates:
            vs = self.versions.setdefault(label, [])
            for _ in range(count):
                v = len(vs)
                vs.append((v, pos))
                self.entries[self.key(label, v)] = self.commitment(label, v)
        self.timestamps.append(timestamp)
        self.trees.append(build_prefix_tree(self.entries))

    def prefix_root(self, x):
        return node_value(self.trees[x])

    def greatest(self, label, x):
        """Greatest version of label in log entry x, or None."""
        vs = [v for v, p in self.versions.get(label, []) if p <= x]
        return max(vs) if vs else None

    def has(self, label, version, x):
        return any(v == version and p <= x for v, p in self.versions.get(label, []))

    def leaves(self, n):
        return [log_entry_value(self.timestamps[i], self.prefix_root(i)) for i in range(n)]


# ---------------------------------------------------------------------------
# CombinedTreeProof: one implementation of every algorithm, run by a Context that either
# records (prover) or consumes (verifier) -- the draft's appendix strategy.

class Context:
    def __init__(self, n, rmw, max_lifetime, label, *, directory=None, proof=None,
                 label_info=None, retained=None):
        """Prover: directory. Verifier: proof (decoded), label_info =
        {version: (vrf_output, commitment or None)}, retained = None or
        {"size": m, "full_subtrees": [...], "frontier": {index: (timestamp, prefix_root)}}."""
        self.n = n
        self.rmw = rmw
        self.ml = max_lifetime
        self.label = label
        self.dir = directory
        self.prover = directory is not None
        self.retained = retained
        self.ts = {}
        self.roots = {}
        self.from_queue = set()
        self.facts = {}            # entry -> {version: included}
        self.monitor_ladders = {}  # entry -> target version
        self.label_info = label_info
        if self.prover:
            self.out = {"timestamps": [], "prefix_proofs": []}
        else:
            self.q_ts = list(proof["timestamps"])
            self.q_pp = list(proof["prefix_proofs"])
            self.q_roots = list(proof["prefix_roots"])
            self.inclusion = proof["inclusion"]
        if retained is not None:
            for x, (t, r) in retained["frontier"].items():
                self.ts[x] = t
                self.roots[x] = r
        self.touched_versions = set()
        self.proved = set()          # entries that got a PrefixProof

    # -- queue access -------------------------------------------------------
    def get_timestamp(self, x):
        if x in self.ts:
            return self.ts[x]
        if self.prover:
            t = self.dir.timestamps[x]
            self.out["timestamps"].append(t)
        else:
            if not self.q_ts:
                raise VerifyFailed("timestamps exhausted")
            t = self.q_ts.pop(0)
        for i, ti in self.ts.items():
            if (i < x and ti > t) or (i > x and ti < t):
                raise VerifyFailed("timestamps not monotonic")
        self.ts[x] = t
        self.from_queue.add(x)
        return t

    def prefix_lookups(self, x, plan):
        """Runs plan(ask) against log entry x's prefix tree. The timestamp of x and the
        PrefixProof are requested at the first actual lookup (none if all are omitted)."""
        asked = []
        state = {}

        def ask(v):
            if not asked:
                self.get_timestamp(x)
                if not self.prover:
                    if not self.q_pp:
                        raise VerifyFailed("prefix proofs exhausted")
                    state["proof"] = self.q_pp.pop(0)
            self.touched_versions.add(v)
            i = len(asked)
            asked.append(v)
            if self.prover:
                return self.dir.has(self.label, v, x)
            results = state["proof"]["results"]
            if i >= len(results):
                raise VerifyFailed("too few lookup results")
            return results[i][0] == INCLUSION

        res = plan(ask)
        if not asked:
            return res
        if self.prover:
            proof = prefix_prove(self.dir.trees[x], [self.dir.key(self.label, v) for v in asked])
            self.out["prefix_proofs"].append(proof)
            value = self.dir.prefix_root(x)
        else:
            proof = state["proof"]
            if len(proof["results"]) != len(asked):
                raise VerifyFailed("too many lookup results")
            keys, commits = [], []
            for v in asked:
                if v not in self.label_info:
                    raise VerifyFailed("no VRF output for version")
                keys.append(self.label_info[v][0])
                commits.append(self.label_info[v][1])
            value = prefix_evaluate(proof, keys, commits)
        self.proved.add(x)
        if x in self.roots and self.roots[x] != value:
            raise VerifyFailed("prefix root mismatch")
        self.roots[x] = value
        return res

    # -- ladders --------------------------------------------------------------
    def known(self, x, v):
        for e, f in self.facts.items():
            if e < x and f.get(v) is True:
                return True
        for e, f in self.facts.items():
            if e > x and f.get(v) is False:
                return False
        return None

    def search_ladder(self, x, t, omit):
        def plan(ask):
            def ask2(v):
                k = self.known(x, v) if omit else None
                return ask(v) if k is None else k
            return run_ladder(ask2, search_stop(t))

        res = self.prefix_lookups(x, plan)
        self.facts.setdefault(x, {}).update(dict(res))
        return res

    def monitoring_ladder(self, x, t):
        def plan(ask):
            return [(v, ask(v)) for v in monitoring_binary_ladder(t)]

        res = self.prefix_lookups(x, plan)
        self.monitor_ladders[x] = t
        return res

    def fixed_lookups(self, x, versions):
        return self.prefix_lookups(x, lambda ask: [(v, ask(v)) for v in versions])

    # -- tree helpers ---------------------------------------------------------
    def rightmost_ts(self):
        return self.get_timestamp(self.n - 1)

    def expired(self, x):
        return self.ml is not None and self.rightmost_ts() - self.get_timestamp(x) >= self.ml

    def is_dist(self, x):
        """Walks root -> x; requests the timestamps of x's ancestors, root first, stopping
        at the first entry established as not distinguished."""
        n = self.n
        lo, hi = 0, self.rightmost_ts()
        y = root(n)
        while True:
            if hi - lo < self.rmw:
                return False
            if y == x:
                return True
            t = self.get_timestamp(y)
            if x < y:
                hi, y = t, left(y)
            else:
                lo, y = t, right(y, n)

    def rightmost_distinguished(self):
        n = self.n
        lo, hi = 0, self.rightmost_ts()
        y, best = root(n), None
        while hi - lo >= self.rmw:
            best = y
            if y == n - 1:
                break
            lo, y = self.get_timestamp(y), right(y, n)
        return best

    # -- finishing ------------------------------------------------------------
    def finish(self, tree_head_root=None):
        leaves = sorted(self.from_queue)
        no_root = [x for x in leaves if x not in self.roots]
        m = self.retained["size"] if self.retained else None
        if self.prover:
            prefix_roots = [self.dir.prefix_root(x) for x in no_root]
            for x, r in zip(no_root, prefix_roots):
                self.roots[x] = r
            all_leaves = self.dir.leaves(self.n)
            inclusion = log_batch_prove(all_leaves, m, leaves)
            return {"timestamps": self.out["timestamps"], "prefix_proofs": self.out["prefix_proofs"],
                    "prefix_roots": prefix_roots, "inclusion": inclusion}
        if self.q_ts or self.q_pp:
            raise VerifyFailed("unconsumed timestamps or prefix proofs")
        if len(self.q_roots) != len(no_root):
            raise VerifyFailed("prefix_roots count")
        for x, r in zip(no_root, self.q_roots):
            self.roots[x] = r
        values = {x: log_entry_value(self.ts[x], self.roots[x]) for x in leaves}
        ret_vals = self.retained["full_subtrees"] if self.retained else []
        value, subtrees = log_batch_verify(self.n, m, ret_vals, values, self.inclusion)
        if tree_head_root is not None and value != tree_head_root:
            raise VerifyFailed("log root mismatch")
        fr = frontier(self.n)
        return {"root": value,
                "full_subtrees": [subtrees[s] for s in full_subtrees(self.n)],
                "frontier": [(x, self.ts[x], self.roots.get(x)) for x in fr]}


# ---------------------------------------------------------------------------
# The algorithms (shared by prover and verifier).

def update_view(ctx, last):
    n = ctx.n
    if last is None:
        for x in frontier(n):
            ctx.get_timestamp(x)
        return
    if not 0 < last <= n:
        raise VerifyFailed("last")
    if last == n:
        return
    path = sorted(y for y in direct_path(last - 1, n) if y >= last)
    for y in path:
        ctx.get_timestamp(y)
    start = path[-1] if path else last - 1
    fr = frontier(n)
    for y in fr[fr.index(start) + 1:]:
        ctx.get_timestamp(y)


def ladder_outcome(res, t):
    if any(inc and v > t for v, inc in res):
        return "greater"
    if any(not inc and v <= t for v, inc in res):
        return "less"
    return "equal"


def check_greatest(res, g):
    """Every lookup consistent with g (None = no version) being the greatest."""
    for v, inc in res:
        if inc != (g is not None and v <= g):
            raise VerifyFailed("ladder inconsistent with greatest version")


def gv_search(ctx, g):
    n = ctx.n
    start = ctx.rightmost_distinguished()
    fr = frontier(n)
    terminal = None
    for x in fr[fr.index(start) if start is not None else 0:]:
        res = ctx.search_ladder(x, g, omit=True)
        for v, inc in res:
            if v > g and inc:
                raise VerifyFailed("version greater than claimed exists")
            if x == n - 1 and v <= g and not inc:
                raise VerifyFailed("claimed version missing in rightmost entry")
        if terminal is None and all(inc for v, inc in res if v <= g):
            terminal = x
    monitor = start is None or terminal > start
    return {"status": "ok", "terminal": terminal,
            "monitor": {terminal: g} if monitor else {}}


def fv_search(ctx, t):
    n = ctx.n
    touched = []
    greater = []
    expired_seen = False
    path = []
    x = root(n)
    result = None
    step = 5
    while True:
        ctx.get_timestamp(x)
        touched.append(x)
        if ctx.expired(x):
            expired_seen = True
            if has_right(x, n):
                path.append(x)
                x = right(x, n)
                continue
            break
        out = ladder_outcome(ctx.search_ladder(x, t, omit=True), t)
        if out == "less":
            if has_right(x, n):
                path.append(x)
                x = right(x, n)
                continue
            break
        if out == "greater":
            greater.append(x)
            if has_left(x):
                path.append(x)
                x = left(x)
                continue
            break
        if not any(ctx.expired(y) for y in path):
            result = ("ok", x)
        elif ctx.is_dist(x) or any(y < x and not ctx.expired(y) and ctx.is_dist(y) for y in path):
            result = ("ok", x)
        else:
            result = ("expired", None)
        break
    if result is None:
        step = 6
        if not greater:
            result = ("not_found", None)
        else:
            g = min(greater)
            if expired_seen and not any(y < g and not ctx.expired(y) and ctx.is_dist(y)
                                        for y in touched):
                result = ("expired", None)
            else:
                res = ctx.fixed_lookups(g, [t])
                result = ("ok", g) if res[0][1] else ("not_found", None)
    status, terminal = result
    out = {"status": status, "terminal": terminal, "step": step, "monitor": {}}
    if status == "ok":
        rd = ctx.rightmost_distinguished()
        if rd is None or terminal > rd:
            out["monitor"] = {terminal: t}
    return out


def contact_monitor(ctx, mmap, owner_start=None):
    n = ctx.n
    mmap = dict(mmap)
    for pos in sorted(mmap, reverse=True):
        ver = mmap[pos]
        if ctx.is_dist(pos):
            continue
        lst, ended = [], False
        for y in reversed(direct_path(pos, n)):
            if y < pos:
                continue
            lst.append(y)
            if ctx.is_dist(y):
                ended = True
                break
        if owner_start is not None and pos >= owner_start and ended:
            lst.pop()
        cur = pos
        for y in lst:
            if y in ctx.monitor_ladders:
                if ctx.monitor_ladders[y] > ver:
                    del mmap[cur]
                    break
                raise VerifyFailed("monitoring: earlier ladder with lesser version")
            res = ctx.monitoring_ladder(y, ver)
            if not all(inc for _, inc in res):
                raise VerifyFailed("monitoring ladder shows non-inclusion")
            del mmap[cur]
            mmap[y] = max(ver, mmap.get(y, ver))
            cur = y
    for pos in sorted(mmap):
        if ctx.is_dist(pos):
            del mmap[pos]
    return mmap


def owner_init(ctx, start, greatest_versions=None):
    """Prover: greatest_versions computed. Verifier: given (from OwnerInitResponse)."""
    n = ctx.n
    if not 0 <= start < n:
        raise VerifyFailed("start")
    if not ctx.is_dist(start):
        raise VerifyFailed("start not distinguished")
    ctx.get_timestamp(start)
    if ctx.expired(start):
        raise VerifyFailed("start expired")
    lst = [start]
    for y in reversed(direct_path(start, n)):
        if y > start:
            continue
        if ctx.expired(y):
            break
        lst.append(y)
    if ctx.prover:
        greatest_versions = []
        for y in lst:
            g = ctx.dir.greatest(ctx.label, y)
            if g is None:
                break
            greatest_versions.append(g)
    if len(greatest_versions) > len(lst) or any(
            a < b for a, b in zip(greatest_versions, greatest_versions[1:])):
        raise VerifyFailed("greatest_versions")
    for i, y in enumerate(lst):
        g = greatest_versions[i] if i < len(greatest_versions) else None
        check_greatest(ctx.search_ladder(y, g if g is not None else 0, omit=False), g)
    return {"status": "ok", "entries": lst, "greatest_versions": greatest_versions}


def owner_monitor(ctx, mmap, start, greatest, owner_versions):
    """owner_versions: [(version, position)] known to the owner."""
    n = ctx.n
    mmap = contact_monitor(ctx, mmap, owner_start=start)
    checked = []
    stopped = [False]

    def expected(x):
        vs = [v for v, p in owner_versions if p <= x]
        return max(vs) if vs else None

    def rec(x, lo, hi):
        if stopped[0] or hi - lo < ctx.rmw:
            return
        if x <= start:
            if has_right(x, n):
                rec(right(x, n), ctx.get_timestamp(x), hi)
            return
        if has_left(x):
            rec(left(x), lo, ctx.get_timestamp(x))
        if stopped[0]:
            return
        if ctx.prover:
            g = ctx.dir.greatest(ctx.label, x)
            if g is not None and (greatest is None or g > greatest):
                stopped[0] = True
        elif not ctx.q_pp:
            stopped[0] = True
        if stopped[0]:
            return
        e = expected(x)
        check_greatest(ctx.search_ladder(x, e if e is not None else 0, omit=False), e)
        checked.append(x)
        if has_right(x, n):
            rec(right(x, n), ctx.get_timestamp(x), hi)

    rec(root(n), 0, ctx.rightmost_ts())
    return {"status": "ok", "monitor": mmap, "checked": checked}


def update_label(ctx, position, prev_greatest, prev_position, start, new_versions):
    """Label-owner verification of new versions inserted at `position`."""
    n = ctx.n
    p = position
    g_new = new_versions[-1]
    if p > 0:
        prev_fr = frontier(p)
        first = next((i for i, y in enumerate(prev_fr) if not ctx.is_dist(y)), None)
        if first is not None:
            tgt = prev_greatest if prev_greatest is not None else 0
            for y in prev_fr[first:]:
                if prev_greatest is not None and (y <= start or y <= prev_position):
                    ctx.facts.setdefault(y, {}).update(
                        {v: v <= prev_greatest for v in base_binary_ladder(prev_greatest)})
                    continue
                check_greatest(ctx.search_ladder(y, tgt, omit=True), prev_greatest)
    full = base_binary_ladder(g_new)
    extra = [v for v in new_versions if v not in full]
    dist = ctx.is_dist(p)
    if not dist:
        res = ctx.search_ladder(p, g_new, omit=True)
        for v, inc in res:
            if inc != (v <= g_new):
                raise VerifyFailed("new ladder inconsistent")
    if extra:
        if not all(inc for _, inc in ctx.fixed_lookups(p, extra)):
            raise VerifyFailed("new version missing")
    return {"status": "ok", "distinguished": dist, "monitor": {} if dist else {p: g_new}}


def walk_distinguished(ctx, stop, recent):
    """Recent = rightmost timestamp minus the entry's timestamp < recent (definition b)."""
    n = ctx.n
    visited = []

    def rec(x, lo, hi):
        if hi - lo < ctx.rmw:
            return
        t = ctx.get_timestamp(x)
        visited.append(x)
        if has_right(x, n):
            rec(right(x, n), t, hi)
        if stop is not None and x <= stop:
            return
        if not ctx.rightmost_ts() - t < recent:
            return
        if has_left(x):
            rec(left(x), lo, t)

    rec(root(n), 0, ctx.rightmost_ts())
    return {"status": "ok", "visited": visited}
