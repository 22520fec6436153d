#!/usr/bin/env python3
"""make_seeds.py (mls): writes the seed files of the mls fuzz targets' corpora.

Seeds are encoded messages from tests/vectors/mls/messages.json (entries 0..4 of each field;
see that folder's README). Run from anywhere; it only (re)writes the seed files named below
and leaves other files (crashers) alone.
"""
import json
from pathlib import Path

FUZZ = Path(__file__).resolve().parent.parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"
ENTRIES = range(5)


def put(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


vectors = json.loads((ROOT / "tests/vectors/mls/messages.json").read_text())
for i in ENTRIES:
    v = {k: bytes.fromhex(h) for k, h in vectors[i].items()}
    for field in ("mls_welcome", "mls_group_info", "mls_key_package", "private_message",
                  "public_message_application", "public_message_proposal",
                  "public_message_commit"):
        put("mls_message_fuzz", f"{field}_{i}", v[field])
    # The bare structs follow the 4-byte MLSMessage header (version, wire_format).
    put("welcome_fuzz", f"welcome_{i}", v["mls_welcome"][4:])
    put("welcome_fuzz", f"group_secrets_{i}", v["group_secrets"])
    put("key_package_fuzz", f"key_package_{i}", v["mls_key_package"][4:])
    put("group_info_fuzz", f"group_info_{i}", v["mls_group_info"][4:])
    put("ratchet_tree_fuzz", f"ratchet_tree_{i}", v["ratchet_tree"])
put("mls_message_fuzz", "empty", b"")
put("ratchet_tree_fuzz", "empty_tree", b"\x00")

# message_protection_fuzz: a mode byte (0 PrivateMessage, 1 PublicMessage, 2 protect the rest as
# application data) before a bare message from message-protection.json (suite 1, entry 0).
mp = json.loads((ROOT / "tests/vectors/mls/message-protection.json").read_text())[0]
for field in ("application_priv", "proposal_priv", "commit_priv"):
    put("message_protection_fuzz", field, b"\x00" + bytes.fromhex(mp[field])[4:])
for field in ("proposal_pub", "commit_pub"):
    put("message_protection_fuzz", field, b"\x01" + bytes.fromhex(mp[field])[4:])
put("message_protection_fuzz", "protect_hello", b"\x02\x05hello")
put("message_protection_fuzz", "protect_empty", b"\x02")
