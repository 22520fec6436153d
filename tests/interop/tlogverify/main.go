// Command tlogverify is an independent verifier of a C2SP tiled transparency
// log (tlog-tiles + tlog-checkpoint + signed-note + tlog-cosignature).
//
// All Merkle-tree and signed-note work is delegated to Go's own
// golang.org/x/mod/sumdb/{note,tlog} packages; this file only supplies the
// C2SP-specific glue those packages lack: the checkpoint body format, the
// C2SP tile paths, entry bundles, and Ed25519 cosignature (0x04) verifiers.
//
// Build (offline):
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o /tmp/tlogverify main.go
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	tileHeight = 8   // C2SP tiles are always 2^8 = 256 hashes wide
	tileWidth  = 256 // entries per full tile / entry bundle
	batchSize  = 4096
)

func fail(format string, args ...interface{}) {
	msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " ")
	fmt.Fprintf(os.Stderr, "tlogverify: FAIL %s\n", msg)
	os.Exit(1)
}

// ---------------------------------------------------------------------------
// Fetching from a directory or an HTTP prefix.

// notFoundError marks a missing resource (ENOENT or HTTP 404), so callers
// can fall back from a partial tile/bundle to the full one.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

func isNotFound(err error) bool {
	var nf *notFoundError
	return errors.As(err, &nf)
}

// maxBody bounds a single response; a full entry bundle is < 17 MiB.
const maxBody = 32 << 20

type fetcher struct {
	dir    string
	url    string
	client *http.Client
}

// get returns the contents of <prefix>/path.
func (f *fetcher) get(path string) ([]byte, error) {
	if f.dir != "" {
		b, err := os.ReadFile(filepath.Join(f.dir, filepath.FromSlash(path)))
		if os.IsNotExist(err) {
			return nil, &notFoundError{fmt.Sprintf("%s: not found in %s", path, f.dir)}
		}
		return b, err
	}
	u := strings.TrimSuffix(f.url, "/") + "/" + path
	resp, err := f.client.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg := fmt.Sprintf("GET %s (%s): status %s", path, u, resp.Status)
		if resp.StatusCode == http.StatusNotFound {
			return nil, &notFoundError{msg}
		}
		return nil, errors.New(msg)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err == nil && len(b) > maxBody {
		err = fmt.Errorf("GET %s: response larger than %d bytes", path, maxBody)
	}
	return b, err
}

// c2spPath maps a Go tlog tile (whose Path is tile/8/L/N[.p/W]) to the C2SP
// path tile/L/N[.p/W]: C2SP has a fixed height and omits that element; the
// N encoding (x001/x234/067) and the .p/W suffix are identical.
func c2spPath(t tlog.Tile) string {
	return "tile/" + strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", tileHeight))
}

// bundlePath returns tile/entries/N[.p/W] for entry bundle n of width w.
func bundlePath(n int64, w int) string {
	p := tlog.Tile{H: tileHeight, L: 0, N: n, W: w}.Path()
	return "tile/entries/" + strings.TrimPrefix(p, fmt.Sprintf("tile/%d/0/", tileHeight))
}

// getPartial fetches a (possibly partial) tile or bundle; if a partial one
// is gone, it falls back to the full one, as tlog-tiles allows.
func (f *fetcher) getPartial(partial, full string) (data []byte, fromFull bool, err error) {
	data, err = f.get(partial)
	if err != nil && partial != full && isNotFound(err) {
		if fullData, err2 := f.get(full); err2 == nil {
			return fullData, true, nil
		}
	}
	return data, false, err
}

// ---------------------------------------------------------------------------
// tlog.TileReader over C2SP hash tiles. Raw tile data is cached in memory;
// this is safe because tlog.TileHashReader re-authenticates every tile
// against the tree hash (or an authenticated parent) on every ReadHashes.

type tileReader struct {
	f     *fetcher
	cache map[string][]byte
}

func (r *tileReader) Height() int { return tileHeight }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != tileHeight || t.L < 0 {
			return nil, fmt.Errorf("unexpected tile request %+v", t)
		}
		path := c2spPath(t)
		if b, ok := r.cache[path]; ok {
			out[i] = b
			continue
		}
		full := c2spPath(tlog.Tile{H: t.H, L: t.L, N: t.N, W: tileWidth})
		b, fromFull, err := r.f.getPartial(path, full)
		if err != nil {
			return nil, err
		}
		if fromFull {
			if len(b) != tileWidth*tlog.HashSize {
				return nil, fmt.Errorf("%s: full tile has %d bytes", full, len(b))
			}
			b = b[:t.W*tlog.HashSize]
		}
		if len(b) != t.W*tlog.HashSize {
			return nil, fmt.Errorf("%s: %d bytes, want %d", path, len(b), t.W*tlog.HashSize)
		}
		r.cache[path] = b
		out[i] = b
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// ---------------------------------------------------------------------------
// Ed25519 cosignature (tlog-cosignature, vkey type 0x04) as a note.Verifier.

const algCosignatureV1 = 0x04

type cosigVerifier struct {
	name string
	hash uint32
	pub  ed25519.PublicKey
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }

// Verify checks a timestamped_signature (u64 BE timestamp || Ed25519 sig)
// over "cosignature/v1\ntime <ts>\n" || note text.
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig[:8])
	if ts > math.MaxInt64 {
		return false
	}
	var m bytes.Buffer
	fmt.Fprintf(&m, "cosignature/v1\ntime %d\n", ts)
	m.Write(msg)
	return ed25519.Verify(v.pub, m.Bytes(), sig[8:])
}

// newCosigVerifier parses name+hex8+base64(0x04||pub32).
func newCosigVerifier(vkey string) (*cosigVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3) // base64 may itself contain '+'
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, fmt.Errorf("malformed witness vkey %q", vkey)
	}
	name := parts[0]
	if name == "" || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsSpace) >= 0 {
		return nil, fmt.Errorf("bad witness key name %q", name)
	}
	id, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, fmt.Errorf("bad witness key id in %q", vkey)
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != algCosignatureV1 {
		return nil, fmt.Errorf("witness vkey %q is not an Ed25519 cosignature (0x04) key", vkey)
	}
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n'})
	h.Write(key)
	want := binary.BigEndian.Uint32(h.Sum(nil))
	if uint32(id) != want {
		return nil, fmt.Errorf("witness vkey %q: key id %08x, computed %08x", vkey, id, want)
	}
	return &cosigVerifier{name: name, hash: want, pub: ed25519.PublicKey(key[1:])}, nil
}

// ---------------------------------------------------------------------------
// Checkpoints.

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
	cosigs int // distinct witness names that verified
	logSig bool
}

// parseCheckpointBody parses the C2SP checkpoint body (note text).
func parseCheckpointBody(text string) (origin string, size int64, root tlog.Hash, err error) {
	if !strings.HasSuffix(text, "\n") {
		return "", 0, root, errors.New("checkpoint body does not end in newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return "", 0, root, errors.New("checkpoint body has fewer than 3 lines")
	}
	origin = lines[0]
	if origin == "" {
		return "", 0, root, errors.New("empty origin")
	}
	s := lines[1]
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.Trim(s, "0123456789") != "" {
		return "", 0, root, fmt.Errorf("bad tree size %q", s)
	}
	size, err = strconv.ParseInt(s, 10, 64)
	if err != nil {
		return "", 0, root, fmt.Errorf("bad tree size %q: %v", s, err)
	}
	rb, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(rb) != tlog.HashSize || base64.StdEncoding.EncodeToString(rb) != lines[2] {
		return "", 0, root, fmt.Errorf("bad root hash %q", lines[2])
	}
	copy(root[:], rb)
	for i, l := range lines[3:] {
		if l == "" {
			return "", 0, root, fmt.Errorf("empty extension line %d", i+1)
		}
	}
	return origin, size, root, nil
}

// openCheckpoint verifies the note with note.Open and parses its body.
// logV may be nil (witness-only mode); then origin must be given.
func openCheckpoint(msg []byte, logV note.Verifier, wits []*cosigVerifier, origin string) (*checkpoint, error) {
	list := []note.Verifier{}
	if logV != nil {
		list = append(list, logV)
	}
	for _, w := range wits {
		list = append(list, w)
	}
	n, err := note.Open(msg, note.VerifierList(list...))
	if err != nil {
		return nil, fmt.Errorf("note.Open: %v", err)
	}
	cp := &checkpoint{}
	witnessNames := map[string]bool{}
	for _, s := range n.Sigs {
		if logV != nil && s.Name == logV.Name() && s.Hash == logV.KeyHash() {
			cp.logSig = true
		}
		for _, w := range wits {
			if s.Name == w.name && s.Hash == w.hash {
				witnessNames[w.name] = true
			}
		}
	}
	cp.cosigs = len(witnessNames)
	if logV != nil && !cp.logSig {
		return nil, fmt.Errorf("no valid signature from log key %s+%08x", logV.Name(), logV.KeyHash())
	}
	cp.origin, cp.size, cp.root, err = parseCheckpointBody(n.Text)
	if err != nil {
		return nil, err
	}
	if cp.origin != origin {
		return nil, fmt.Errorf("origin %q != expected %q", cp.origin, origin)
	}
	return cp, nil
}

// ---------------------------------------------------------------------------
// Entry bundles.

// parseBundle strictly parses exactly n uint16-BE length-prefixed entries.
func parseBundle(b []byte, n int) ([][]byte, error) {
	entries := make([][]byte, 0, n)
	for len(entries) < n {
		if len(b) < 2 {
			return nil, fmt.Errorf("truncated after %d entries", len(entries))
		}
		l := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+l {
			return nil, fmt.Errorf("entry %d truncated", len(entries))
		}
		entries = append(entries, b[2:2+l])
		b = b[2+l:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%d trailing bytes after %d entries", len(b), n)
	}
	return entries, nil
}

// sampleIndexes returns up to k indexes spread over [0,size), incl. both ends.
func sampleIndexes(size int64, k int) []int64 {
	if k <= 0 || size == 0 {
		return nil
	}
	if int64(k) >= size {
		out := make([]int64, size)
		for i := range out {
			out[i] = int64(i)
		}
		return out
	}
	if k == 1 {
		return []int64{0}
	}
	d := int64(k - 1)
	q, r := (size-1)/d, (size-1)%d
	var out []int64
	for j := int64(0); j <= d; j++ {
		i := q*j + r*j/d // = floor(j*(size-1)/d) without overflow
		if len(out) == 0 || out[len(out)-1] != i {
			out = append(out, i)
		}
	}
	return out
}

// readLevel reads the authenticated stored hashes of nodes [start,end) at
// the given tree level through the TileHashReader.
func readLevel(hr tlog.HashReader, level int, start, end int64) ([]tlog.Hash, error) {
	idx := make([]int64, 0, end-start)
	for k := start; k < end; k++ {
		idx = append(idx, tlog.StoredHashIndex(level, k))
	}
	hashes, err := hr.ReadHashes(idx)
	if err == nil && len(hashes) != len(idx) {
		err = fmt.Errorf("ReadHashes returned %d hashes, want %d", len(hashes), len(idx))
	}
	return hashes, err
}

// checkBundle fetches entry bundle n (width w) and checks each entry's
// RecordHash against leaves, the authenticated hashes of entries n*256....
func checkBundle(f *fetcher, n int64, w int, leaves []tlog.Hash) error {
	path, full := bundlePath(n, w), bundlePath(n, tileWidth)
	data, fromFull, err := f.getPartial(path, full)
	if err != nil {
		return err
	}
	var entries [][]byte
	if fromFull {
		if entries, err = parseBundle(data, tileWidth); err == nil {
			entries = entries[:w]
		}
	} else {
		entries, err = parseBundle(data, w)
	}
	if err != nil {
		return fmt.Errorf("entry bundle %s: %v", path, err)
	}
	for j, e := range entries {
		if got := tlog.RecordHash(e); got != leaves[j] {
			return fmt.Errorf("entry %d (%s): RecordHash %s != leaf hash %s", n*tileWidth+int64(j), path, got, leaves[j])
		}
	}
	return nil
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	fs := flag.NewFlagSet("tlogverify", flag.ContinueOnError)
	dir := fs.String("dir", "", "local directory holding checkpoint and tile/...")
	url := fs.String("url", "", "HTTP prefix holding checkpoint and tile/...")
	logVkey := fs.String("log-vkey", "", "log signed-note verifier key (Ed25519, type 0x01)")
	var witVkeys, oldFiles stringList
	fs.Var(&witVkeys, "witness-vkey", "witness cosignature vkey (type 0x04); repeatable")
	quorum := fs.Int("quorum", 0, "minimum number of distinct witnesses that must cosign")
	fs.Var(&oldFiles, "old-checkpoint", "older checkpoint file to prove consistency with; repeatable")
	sample := fs.Int("sample", 64, "number of inclusion proofs to check")
	skipEntries := fs.Bool("skip-entries", false, "do not fetch entry bundles (test data with fake bundles)")
	originFlag := fs.String("origin", "", "expected origin; required (with -quorum >= 1) when -log-vkey is omitted")
	if err := fs.Parse(os.Args[1:]); err != nil {
		fail("bad flags: %v", err)
	}
	if fs.NArg() != 0 {
		fail("unexpected arguments: %v", fs.Args())
	}
	if (*dir == "") == (*url == "") {
		fail("exactly one of -dir or -url is required")
	}

	// Keys.
	var logV note.Verifier
	origin := *originFlag
	if *logVkey != "" {
		v, err := note.NewVerifier(*logVkey)
		if err != nil {
			fail("bad -log-vkey: %v", err)
		}
		logV = v
		if origin != "" && origin != v.Name() {
			fail("-origin %q != log key name %q", origin, v.Name())
		}
		origin = v.Name()
	} else if origin == "" || *quorum < 1 {
		fail("-log-vkey is required (or -origin with -quorum >= 1 for witness-only trust)")
	}
	var wits []*cosigVerifier
	for _, k := range witVkeys {
		w, err := newCosigVerifier(k)
		if err != nil {
			fail("bad -witness-vkey: %v", err)
		}
		wits = append(wits, w)
	}

	f := &fetcher{dir: *dir, url: *url, client: &http.Client{Timeout: 60 * time.Second}}

	// Checkpoint: signatures via note.Open, body parsed per tlog-checkpoint.
	msg, err := f.get("checkpoint")
	if err != nil {
		fail("fetch checkpoint: %v", err)
	}
	cp, err := openCheckpoint(msg, logV, wits, origin)
	if err != nil {
		fail("checkpoint: %v", err)
	}
	if cp.cosigs < *quorum {
		fail("checkpoint has %d witness cosignatures, quorum is %d", cp.cosigs, *quorum)
	}
	size, root := cp.size, cp.root
	emptyRoot := tlog.Hash(sha256.Sum256(nil))

	tr := &tileReader{f: f, cache: map[string][]byte{}}
	hr := tlog.TileHashReader(tlog.Tree{N: size, Hash: root}, tr)
	bundles, inclusion := 0, 0

	if size == 0 {
		if root != emptyRoot {
			fail("size 0 checkpoint root is %s, want SHA-256(\"\")", root)
		}
	} else {
		// 1. Root hash recomputed from tiles.
		th, err := tlog.TreeHash(size, hr)
		if err != nil {
			fail("TreeHash: %v", err)
		}
		if th != root {
			fail("TreeHash %s != checkpoint root %s", th, root)
		}

		// 2+3. All leaf hashes (authenticating every level-0 tile) and all
		// entry bundles, in batches of 4096 leaves (16 bundles).
		samples := sampleIndexes(size, *sample)
		sampleHash := map[int64]tlog.Hash{}
		for _, i := range samples {
			sampleHash[i] = tlog.Hash{}
		}
		for start := int64(0); start < size; start += batchSize {
			end := start + batchSize
			if end > size {
				end = size
			}
			leaves, err := readLevel(hr, 0, start, end)
			if err != nil {
				fail("reading leaf hashes [%d,%d): %v", start, end, err)
			}
			for i := start; i < end; i++ {
				if _, ok := sampleHash[i]; ok {
					sampleHash[i] = leaves[i-start]
				}
			}
			if *skipEntries {
				continue
			}
			for b := start / tileWidth; b*tileWidth < end; b++ {
				w := tileWidth
				if rem := size - b*tileWidth; rem < tileWidth {
					w = int(rem)
				}
				lo := b*tileWidth - start
				if err := checkBundle(f, b, w, leaves[lo:lo+int64(w)]); err != nil {
					fail("%v", err)
				}
				bundles++
			}
		}

		// 2b. Every hash at levels 8, 16, ...: fetches every level>=1 tile.
		for lvl := 1; size>>(uint(lvl)*tileHeight) > 0; lvl++ {
			count := size >> (uint(lvl) * tileHeight)
			for start := int64(0); start < count; start += batchSize {
				end := start + batchSize
				if end > count {
					end = count
				}
				if _, err := readLevel(hr, lvl*tileHeight, start, end); err != nil {
					fail("reading level-%d tile hashes: %v", lvl, err)
				}
			}
		}

		// 4. Inclusion proofs for the sampled leaves.
		for _, i := range samples {
			proof, err := tlog.ProveRecord(size, i, hr)
			if err != nil {
				fail("ProveRecord(%d, %d): %v", size, i, err)
			}
			if err := tlog.CheckRecord(proof, size, root, i, sampleHash[i]); err != nil {
				fail("CheckRecord(%d, %d): %v", size, i, err)
			}
			inclusion++
		}
	}

	// 5. Consistency with each older checkpoint.
	consistency := 0
	for _, file := range oldFiles {
		b, err := os.ReadFile(file)
		if err != nil {
			fail("old checkpoint: %v", err)
		}
		old, err := openCheckpoint(b, logV, wits, origin)
		if err != nil {
			fail("old checkpoint %s: %v", file, err)
		}
		if logV == nil && old.cosigs < *quorum {
			fail("old checkpoint %s: %d cosignatures < quorum %d (witness-only mode)", file, old.cosigs, *quorum)
		}
		switch {
		case old.size > size:
			fail("old checkpoint %s has size %d > current size %d", file, old.size, size)
		case old.size == 0:
			if old.root != emptyRoot {
				fail("old checkpoint %s: size 0 but root %s is not SHA-256(\"\")", file, old.root)
			}
		default:
			proof, err := tlog.ProveTree(size, old.size, hr)
			if err != nil {
				fail("ProveTree(%d, %d): %v", size, old.size, err)
			}
			if err := tlog.CheckTree(proof, size, root, old.size, old.root); err != nil {
				fail("old checkpoint %s (size %d) not consistent: %v", file, old.size, err)
			}
		}
		consistency++
	}

	logSig := 0
	if cp.logSig {
		logSig = 1
	}
	fmt.Printf("tlogverify: OK origin=%s size=%d root=%s log_sig=%d cosignatures=%d leaves=%d tiles=%d bundles=%d inclusion=%d consistency=%d\n",
		cp.origin, size, base64.StdEncoding.EncodeToString(root[:]), logSig, cp.cosigs, size, len(tr.cache), bundles, inclusion, consistency)
}
