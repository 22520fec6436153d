#!/usr/bin/env python3
"""make_seeds.py: writes the hand-made seed files of fuzz/corpus/<target>/.

Seeds are real examples taken from tests/vectors/tlog/ plus edge cases. Run from anywhere;
it only (re)writes the seed files named below and leaves other files (crashers) alone.
Needs python3-cryptography for the Ed25519 test keys.
"""
import base64
import hashlib
import json
import struct
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
VEC = ROOT / "tests/vectors/tlog"
CORPUS = FUZZ / "corpus"


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / name).write_bytes(data)


# --- base ---------------------------------------------------------------------------------
for name, text in {
    "empty": "", "one_byte": "Zg==", "two_bytes": "Zm8=", "three_bytes": "Zm9v",
    "four_bytes": "Zm9vYg==", "root32": "rKbDipCvhuX1GZ7g5BBe8sA6BbJ7ja/1nk427v383cs=",
    "plus_slash": "+/+/", "pad_bits_1": "Zh==", "pad_bits_2": "Zm9=", "bad_char": "Zm9v!A==",
    "pad_only": "====", "pad_early": "Z===", "pad_middle": "Zg==Zg==", "after_pad": "Zg=a",
    "urlsafe": "-_-_", "short": "Zm9", "newline": "Zm9v\n",
}.items():
    put("base64_fuzz", name, text)

for name, text in {
    "empty": "", "zero": "00", "lower": "ff", "upper": "FF", "mixed": "0123456789abcdefABCDEF",
    "odd": "0", "bad_char": "zz", "bad_second": "0g",
    "hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "space": "00 ff",
}.items():
    put("hex_fuzz", name, text)

# tls_reader_fuzz: [number of ops][ops][payload]; ops: 0 U8, 1 U16, 2 U32, 3 U64, 4 Varint,
# 5 OpaqueV, 6 Opaque8, 7 Opaque16, 8 Optional, 9 VectorV, 10 End.
def tls_seed(ops, payload):
    return bytes([len(ops)]) + bytes(ops) + bytes(payload)

put("tls_reader_fuzz", "ints", tls_seed([0, 1, 2, 3, 10], range(1, 16)))
put("tls_reader_fuzz", "varints",
    tls_seed([4] * 8 + [10], [0x00, 0x3f, 0x40, 0x40, 0x7f, 0xff, 0x80, 0x00, 0x40, 0x00,
                              0xbf, 0xff, 0xff, 0xff, 0x25, 0x40, 0x25]))
put("tls_reader_fuzz", "varint_nonminimal_2", tls_seed([4], [0x40, 0x01]))
put("tls_reader_fuzz", "varint_nonminimal_4", tls_seed([4], [0x80, 0x00, 0x3f, 0xff]))
put("tls_reader_fuzz", "varint_reserved", tls_seed([4], [0xc0, 0, 0, 0, 0, 0, 0, 1]))
put("tls_reader_fuzz", "opaques",
    tls_seed([5, 6, 7, 10], [0x03, 1, 2, 3, 0x02, 9, 9, 0x00, 0x01, 0x7a]))
put("tls_reader_fuzz", "opaque_truncated", tls_seed([7], [0xff, 0xff, 1, 2, 3]))
put("tls_reader_fuzz", "optional", tls_seed([8, 8, 8], [0, 1, 2]))
put("tls_reader_fuzz", "nested_vectors",
    tls_seed([9, 0, 9, 1, 10, 10, 4, 10], [0x05, 0xaa, 0x02, 0xbb, 0xcc, 0xdd, 0x01]))
put("tls_reader_fuzz", "vector_long",
    tls_seed([9, 5, 5, 10, 10], [0x40, 0x48] + [0x01, 0x00] * 36))
put("tls_reader_fuzz", "no_ops", tls_seed([], [1, 2, 3]))
put("tls_reader_fuzz", "empty", b"")

# --- tlog ---------------------------------------------------------------------------------
vectors = json.loads((VEC / "signed-note-and-cosignature-vectors.json").read_text())
notes = {n["id"]: n for n in vectors["signed_notes"]}
tessera = VEC / "tessera-testdata-log"
sunlight = VEC / "sunlight-skylight-testdata"
sunlight_cp = next((sunlight / "witness").glob("000de*/checkpoint")).read_bytes()
mirror_dir = next((sunlight / "witness/mirror").glob("000de*"))

# The fixed keys of note_fuzz.cc (test keys of the vectors).
LOG_NAME = "example.com/log/testdata"
LOG_SEED = bytes.fromhex("eca663f499017d2365c27c7a7679158d43cfec1330bdb259290afbd0d21777a0")
WIT_NAME = "witness.example.org"
WIT_SEED = bytes.fromhex("14731ce6be532a0bcc9170c0352dc3c2477dde5f86324cd30fe00ad7d430df30")


def pub(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw)


def key_id(name, typ, pk):
    return hashlib.sha256(name.encode() + b"\n" + bytes([typ]) + pk).digest()[:4]


def sig_line(name, kid, sig):
    return "\u2014 " + name + " " + base64.b64encode(kid + sig).decode() + "\n"


def note_sig(seed, name, text):
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(text.encode())
    return sig_line(name, key_id(name, 1, pub(seed)), sig)


def cosig(seed, name, text, ts):
    msg = f"cosignature/v1\ntime {ts}\n{text}".encode()
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(msg)
    return sig_line(name, key_id(name, 4, pub(seed)), struct.pack(">Q", ts) + sig)


def skey(name, typ, seed):
    return (f"PRIVATE+KEY+{name}+{key_id(name, typ, pub(seed)).hex()}+"
            + base64.b64encode(bytes([typ]) + seed).decode())


def vkey(name, typ, seed):
    return (f"{name}+{key_id(name, typ, pub(seed)).hex()}+"
            + base64.b64encode(bytes([typ]) + pub(seed)).decode())


text15 = (tessera / "checkpoint").read_text().split("\n\n")[0] + "\n"
both = text15 + "\n" + note_sig(LOG_SEED, LOG_NAME, text15) + cosig(WIT_SEED, WIT_NAME, text15, 1767139200)
for name, data in {
    "tessera_checkpoint_15": (tessera / "checkpoint").read_bytes(),
    "tessera_checkpoint_0": (tessera / "checkpoint.0").read_bytes(),
    "tessera_checkpoint_7": (tessera / "checkpoint.7").read_bytes(),
    "sunlight_witness_checkpoint": sunlight_cp,
    "go_peterneumann": notes["go-note-peterneumann"]["note"],
    "go_two_sigs": notes["go-note-two-sigs-one-known"]["note"],
    "go_bad_name": notes["go-note-bad-name"]["note"],
    "c2sp_example": notes["c2sp-signed-note-example"]["note"],
    "sumdb_checkpoint": notes["sum.golang.org-checkpoint-35225469"]["note"],
    "log_and_witness": both,
    "duplicate_known_key": both + note_sig(LOG_SEED, LOG_NAME, text15),
    "tampered_text": both.replace("\n15\n", "\n16\n", 1),
    "wrong_witness_time": text15 + "\n" + cosig(WIT_SEED, WIT_NAME, text15, 1)[:-6] + "AAAA=\n",
    "no_final_newline": (tessera / "checkpoint").read_bytes()[:-1],
    "no_blank_line": text15 + note_sig(LOG_SEED, LOG_NAME, text15),
    "control_char": "a\tb\n\n" + note_sig(LOG_SEED, LOG_NAME, "a\tb\n"),
    "short_signature": "x\n\n\u2014 k AAAAAA==\n",
    "text_with_blank_lines": "a\n\nb\n\n\n" + note_sig(LOG_SEED, LOG_NAME, "a\n\nb\n\n"),
}.items():
    put("note_fuzz", name, data)

for name, data in {
    "tessera_15": text15,
    "tessera_0": (tessera / "checkpoint.0").read_text().split("\n\n")[0] + "\n",
    "sunlight": sunlight_cp.decode().split("\n\n")[0] + "\n",
    "sumdb": notes["sum.golang.org-checkpoint-35225469"]["note"].split("\n\n")[0] + "\n",
    "extensions": text15 + "ext one\nextension/two 42\n",
    "whole_note": (tessera / "checkpoint").read_bytes(),
    "max_size": "o\n18446744073709551615\n" + base64.b64encode(bytes(32)).decode() + "\n",
    "size_overflow": "o\n18446744073709551616\n" + base64.b64encode(bytes(32)).decode() + "\n",
    "size_leading_zero": "o\n015\n" + base64.b64encode(bytes(32)).decode() + "\n",
    "root_31_bytes": "o\n1\n" + base64.b64encode(bytes(31)).decode() + "\n",
    "empty_origin": "\n1\n" + base64.b64encode(bytes(32)).decode() + "\n",
    "empty_extension": text15 + "\n",
    "two_lines": "o\n1\n",
    "decimal_zero": "0",
    "decimal_max": "18446744073709551615",
    "decimal_plus": "+1",
}.items():
    put("checkpoint_fuzz", name, data)

for i, name in enumerate([
    "tile/0/000", "tile/0/000.p/5", "tile/entries/000.p/15", "tile/1/x001/x234/067",
    "tile/63/x018/x446/x744/x073/x709/x551/615", "tile/entries/x001/000", "tile/0/273.p/112",
    "tile/0/000.p/256", "tile/0/000.p/0", "tile/64/000", "tile/00/000", "tile/0/x000/001",
    "/tile/0/000", "tile/0/1234", "tile/0/x018/x446/x744/x073/x709/x551/616", "tile/0/001.p/044",
    "tile/entries/000.p", "tile/0/",
]):
    put("tile_path_fuzz", f"{i:02d}_" + name.replace("/", "_").strip("_"), name)

tile_dir = tessera / "tile"
put("tile_fuzz", "tessera_hash_tile_15", bytes([14]) + (tile_dir / "0/000.p/15").read_bytes())
put("tile_fuzz", "tessera_hash_tile_3", bytes([2]) + (tile_dir / "0/000.p/3").read_bytes())
put("tile_fuzz", "tessera_bundle_15", bytes([14]) + (tile_dir / "entries/000.p/15").read_bytes())
put("tile_fuzz", "tessera_bundle_1", bytes([0]) + (tile_dir / "entries/000.p/1").read_bytes())
put("tile_fuzz", "mirror_full_tile", bytes([255]) + (mirror_dir / "tile/0/000").read_bytes())
put("tile_fuzz", "mirror_tile_44", bytes([43]) + (mirror_dir / "tile/0/001.p/44").read_bytes())
put("tile_fuzz", "mirror_level1_tile_1", bytes([0]) + (mirror_dir / "tile/1/000.p/1").read_bytes())
put("tile_fuzz", "bundle_empty_entry", bytes([0, 0, 0]))
put("tile_fuzz", "bundle_max_entry", bytes([0, 0xff, 0xff]) + bytes(0xffff))
put("tile_fuzz", "bundle_truncated", bytes([1, 0, 3, 1, 2, 3, 0, 9, 1]))
put("tile_fuzz", "bundle_trailing", bytes([0, 0, 1, 7, 0]))
put("tile_fuzz", "empty_body", bytes([0]))

for name, data in {
    "peterneumann_vkey": notes["go-note-peterneumann"]["vkeys"][0],
    "peterneumann_skey": notes["go-note-peterneumann"]["skey"],
    "c2sp_vkey": notes["c2sp-signed-note-example"]["vkeys"][0],
    "tessera_vkey": notes["tessera-testdata-checkpoint-15"]["vkeys"][0],
    "tessera_skey": notes["tessera-testdata-checkpoint-15"]["skey"],
    "sumdb_vkey_with_plus": notes["sum.golang.org-checkpoint-35225469"]["vkeys"][0],
    "witness_vkey": vectors["cosignatures_ed25519_v1"][0]["vkey"],
    "mirror_vkey": vectors["cosignatures_ed25519_v1"][1]["vkey"],
    "witness_skey": skey(WIT_NAME, 4, WIT_SEED),
    "wrong_key_id": vkey(LOG_NAME, 1, LOG_SEED).replace("+33d7b496+", "+33d7b497+"),
    "upper_key_id": "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "unknown_type": "n+00000000+" + base64.b64encode(bytes([2]) + pub(LOG_SEED)).decode(),
    "short_key": "n+00000000+" + base64.b64encode(bytes([1]) + bytes(31)).decode(),
    "one_plus": "name+c74f20a3",
    "no_plus": "PeterNeumann",
    "space_in_name": "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    "skey_prefix_only": "PRIVATE+KEY+",
    "skey_type_2": "PRIVATE+KEY+n+00000000+" + base64.b64encode(bytes([2]) + LOG_SEED).decode(),
}.items():
    put("vkey_fuzz", name, data)

# proof_fuzz: uint64 index/old size, uint64 size/new size, H0, H1, proof...
def proof_seed(a, b, hashes):
    return struct.pack(">QQ", a, b) + b"".join(hashes)


merkle = VEC / "transparency-dev-merkle/testdata"
for i in range(5):
    j = json.loads((merkle / f"inclusion/{i}/happy-path.json").read_text())
    hs = [base64.b64decode(j["leafHash"]), base64.b64decode(j["root"])]
    hs += [base64.b64decode(p) for p in (j["proof"] or [])]
    put("proof_fuzz", f"inclusion_{i}", proof_seed(j["leafIdx"], j["treeSize"], hs))
    j = json.loads((merkle / f"consistency/{i}/happy-path.json").read_text())
    hs = [base64.b64decode(j["root1"]), base64.b64decode(j["root2"])]
    hs += [base64.b64decode(p) for p in (j["proof"] or [])]
    put("proof_fuzz", f"consistency_{i}", proof_seed(j["size1"], j["size2"], hs))
put("proof_fuzz", "empty", b"")
put("proof_fuzz", "max_sizes", proof_seed(2**64 - 2, 2**64 - 1, [bytes(32)] * 4))
put("proof_fuzz", "index_at_size", proof_seed(7, 7, [bytes(32)] * 3))
put("proof_fuzz", "equal_sizes", proof_seed(5, 5, [bytes([1]) * 32, bytes([1]) * 32]))
put("proof_fuzz", "single_leaf", proof_seed(0, 1, [bytes([2]) * 32, bytes([2]) * 32]))
