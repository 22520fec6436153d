// Command main measures golang.org/x/mod/sumdb/tlog (the Debian package golang-golang-x-mod-dev)
// on the inputs bench/tlog/merkle_bench.cc uses, for bench/tlog/run_merkle_bench.sh. It prints
// one JSON object per line; "bench" names the Candor benchmark each measurement pairs with.
//
// Build offline:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=/tmp/gocache go build -o OUT bench/tlog/go/main.go
//
// Inputs shared with merkle_bench.cc (change both together):
//
//	entry i (32 bytes) = mix64((4i + j + 1) * golden) for j = 0..3, each little-endian;
//	queries: a splitmix64 stream seeded with 1 (inclusion) or 2 (consistency), drawing
//	size = 1 + r % N, then index = r % size (or old = 1 + r % new), numQueries of them.
package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

const (
	golden     = 0x9e3779b97f4a7c15
	numQueries = 4096
)

// mix64 is the splitmix64 finalizer.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// makeEntry writes entry i into out[0:32].
func makeEntry(i int64, out []byte) {
	for j := uint64(0); j < 4; j++ {
		binary.LittleEndian.PutUint64(out[8*j:], mix64((4*uint64(i)+j+1)*golden))
	}
}

type splitMix64 struct{ s uint64 }

func (r *splitMix64) next() uint64 {
	r.s += golden
	return mix64(r.s)
}

type query struct {
	small int64 // record index, or old size
	size  int64 // tree size, or new size
}

func makeQueries(n int64, consistency bool) []query {
	rng := splitMix64{1}
	if consistency {
		rng.s = 2
	}
	qs := make([]query, numQueries)
	for i := range qs {
		qs[i].size = 1 + int64(rng.next()%uint64(n))
		if consistency {
			qs[i].small = 1 + int64(rng.next()%uint64(qs[i].size))
		} else {
			qs[i].small = int64(rng.next() % uint64(qs[i].size))
		}
	}
	return qs
}

// tree is the in-memory stored-hash slice StoredHashes fills, read through a HashReaderFunc.
type tree struct {
	hashes []tlog.Hash
}

func (t *tree) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			if x < 0 || x >= int64(len(t.hashes)) {
				return nil, fmt.Errorf("no stored hash %d", x)
			}
			out[i] = t.hashes[x]
		}
		return out, nil
	})
}

// build appends records 0..n-1 the way a sumdb-style server does.
func build(n int64) *tree {
	t := &tree{}
	hr := t.reader()
	entry := make([]byte, 32)
	for i := int64(0); i < n; i++ {
		makeEntry(i, entry)
		hs, err := tlog.StoredHashes(i, entry, hr)
		if err != nil {
			die(err)
		}
		t.hashes = append(t.hashes, hs...)
	}
	return t
}

type result struct {
	Impl           string  `json:"impl"`
	Bench          string  `json:"bench"`
	Func           string  `json:"func"`
	N              int64   `json:"n"`
	Iterations     int64   `json:"iterations"`
	Seconds        float64 `json:"seconds"`
	ItemsPerSecond float64 `json:"items_per_second"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	Root           string  `json:"root,omitempty"`
}

func emit(r result) {
	r.Impl = "go"
	r.ItemsPerSecond = float64(r.Iterations) / r.Seconds
	b, err := json.Marshal(r)
	if err != nil {
		die(err)
	}
	fmt.Println(string(b))
}

// cpuTime returns the user + system CPU time of the whole process (all threads, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		die(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func die(err error) {
	fmt.Fprintln(os.Stderr, "tlog go bench:", err)
	os.Exit(1)
}

// timeOps calls op(i) for i = 0, 1, ... until at least minTime has passed; returns the calls,
// wall seconds and process CPU seconds.
func timeOps(minTime time.Duration, op func(i int)) (int64, float64, float64) {
	cpu0 := cpuTime()
	start := time.Now()
	var calls int64
	for {
		for j := 0; j < 256; j++ {
			op(int(calls % numQueries))
			calls++
		}
		if el := time.Since(start); el >= minTime {
			return calls, el.Seconds(), (cpuTime() - cpu0).Seconds()
		}
	}
}

var sink [32]byte

// hashBound makes the SHA-256 calls an n-leaf tree needs and nothing else (n one-shot hashes of
// 33 bytes, n - 1 of 65 bytes, each digest feeding the next input): Go's counterpart of
// BM_SequentialHashBound.
func hashBound(n int64, iters int) {
	var leaf [33]byte
	var node [65]byte
	node[0] = 0x01
	var d [32]byte
	start := time.Now()
	cpu0 := cpuTime()
	for it := 0; it < iters; it++ {
		for i := int64(0); i < n; i++ {
			makeEntry(i, leaf[1:])
			d = sha256.Sum256(leaf[:])
			if i == 0 {
				continue
			}
			copy(node[1:], d[:])
			d = sha256.Sum256(node[:])
			copy(node[33:], d[:])
		}
	}
	sink = d
	emit(result{Bench: fmt.Sprintf("BM_SequentialHashBound/%d", n), Func: "crypto/sha256.Sum256",
		N: n, Iterations: n * int64(iters), Seconds: time.Since(start).Seconds(),
		CPUSeconds: (cpuTime() - cpu0).Seconds()})
}

func treeHash(n int64, iters int) *tree {
	var t *tree
	var total, cpu time.Duration
	for it := 0; it < iters; it++ {
		t = nil
		runtime.GC()
		cpu0 := cpuTime()
		start := time.Now()
		t = build(n)
		total += time.Since(start)
		cpu += cpuTime() - cpu0
	}
	root, err := tlog.TreeHash(n, t.reader())
	if err != nil {
		die(err)
	}
	emit(result{Bench: fmt.Sprintf("BM_TreeHash/%d", n), Func: "tlog.StoredHashes", N: n,
		Iterations: n * int64(iters), Seconds: total.Seconds(), CPUSeconds: cpu.Seconds(), Root: hex.EncodeToString(root[:])})
	return t
}

func proofs(n int64, t *tree, minTime time.Duration) {
	hr := t.reader()
	inc := makeQueries(n, false)
	calls, secs, cpus := timeOps(minTime, func(i int) {
		if _, err := tlog.ProveRecord(inc[i].size, inc[i].small, hr); err != nil {
			die(err)
		}
	})
	emit(result{Bench: fmt.Sprintf("BM_ProveInclusion/%d", n), Func: "tlog.ProveRecord", N: n,
		Iterations: calls, Seconds: secs, CPUSeconds: cpus})

	con := makeQueries(n, true)
	calls, secs, cpus = timeOps(minTime, func(i int) {
		if _, err := tlog.ProveTree(con[i].size, con[i].small, hr); err != nil {
			die(err)
		}
	})
	emit(result{Bench: fmt.Sprintf("BM_ProveConsistency/%d", n), Func: "tlog.ProveTree", N: n,
		Iterations: calls, Seconds: secs, CPUSeconds: cpus})

	type recordCase struct {
		p      tlog.RecordProof
		th, h  tlog.Hash
		t, idx int64
	}
	rcs := make([]recordCase, numQueries)
	for i, q := range inc {
		p, err := tlog.ProveRecord(q.size, q.small, hr)
		if err != nil {
			die(err)
		}
		th, err := tlog.TreeHash(q.size, hr)
		if err != nil {
			die(err)
		}
		rcs[i] = recordCase{p, th, t.hashes[tlog.StoredHashIndex(0, q.small)], q.size, q.small}
	}
	calls, secs, cpus = timeOps(minTime, func(i int) {
		c := &rcs[i]
		if err := tlog.CheckRecord(c.p, c.t, c.th, c.idx, c.h); err != nil {
			die(err)
		}
	})
	emit(result{Bench: fmt.Sprintf("BM_VerifyInclusion/%d", n), Func: "tlog.CheckRecord", N: n,
		Iterations: calls, Seconds: secs, CPUSeconds: cpus})

	type treeCase struct {
		p          tlog.TreeProof
		th, h      tlog.Hash
		t, oldSize int64
	}
	tcs := make([]treeCase, numQueries)
	for i, q := range con {
		p, err := tlog.ProveTree(q.size, q.small, hr)
		if err != nil {
			die(err)
		}
		th, err := tlog.TreeHash(q.size, hr)
		if err != nil {
			die(err)
		}
		h, err := tlog.TreeHash(q.small, hr)
		if err != nil {
			die(err)
		}
		tcs[i] = treeCase{p, th, h, q.size, q.small}
	}
	calls, secs, cpus = timeOps(minTime, func(i int) {
		c := &tcs[i]
		if err := tlog.CheckTree(c.p, c.t, c.th, c.oldSize, c.h); err != nil {
			die(err)
		}
	})
	emit(result{Bench: fmt.Sprintf("BM_VerifyConsistency/%d", n), Func: "tlog.CheckTree", N: n,
		Iterations: calls, Seconds: secs, CPUSeconds: cpus})
}

func main() {
	minTime := flag.Duration("min_time", time.Second, "minimum time per proof measurement")
	maxN := flag.Int64("max_n", 1<<24, "skip tree sizes above this")
	flag.Parse()
	fmt.Printf("{\"impl\":\"go\",\"go_version\":%q,\"gomaxprocs\":%d}\n",
		runtime.Version(), runtime.GOMAXPROCS(0))
	for _, c := range []struct {
		n     int64
		iters int
	}{{1 << 20, 5}, {1 << 24, 1}} {
		if c.n > *maxN {
			continue
		}
		hashBound(c.n, c.iters)
		t := treeHash(c.n, c.iters)
		proofs(c.n, t, *minTime)
		t = nil
		runtime.GC()
	}
}
