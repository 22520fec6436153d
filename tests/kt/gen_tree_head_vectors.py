#!/usr/bin/env python3
"""gen_tree_head_vectors.py: writes tests/vectors/kt/tree_head.json.

An independent check of tree_head.h / update_value.h: the TBS structures are encoded here from
draft-ietf-keytrans-protocol's struct definitions (TreeHeadTBS, AuditorTreeHeadTBS, UpdateTBS,
Configuration) and signed with python3-cryptography (OpenSSL underneath, but our encoder and
r||s handling are not involved): ECDSA P-256 / SHA-256 as r||s (32 + 32 bytes big-endian) and
Ed25519. Keys come from fixed seeds, so the file is stable except for ECDSA signatures (random
nonces; any valid signature is a valid vector). Run: python3 tests/kt/gen_tree_head_vectors.py
"""
import hashlib
import hmac
import json
import struct
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

OUT = Path(__file__).resolve().parent.parent / "vectors" / "kt" / "tree_head.json"

P256, ED25519 = 1, 2
KC = bytes.fromhex("d821f8790d97709796b4d7903357c3f5")
CONTACT, MANAGEMENT, AUDITING = 1, 2, 3


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def opaque8(b):
    assert len(b) < 2**8
    return u8(len(b)) + b


def opaque16(b):
    assert len(b) < 2**16
    return u16(len(b)) + b


def opaque32(b):
    return u32(len(b)) + b


def seed(name):
    return hashlib.sha256(b"candor kt tree_head vectors " + name.encode()).digest()


class Signer:
    """A signing key of one suite, derived from a fixed seed."""

    def __init__(self, suite, name):
        self.suite = suite
        s = seed(name)
        if suite == P256:
            scalar = int.from_bytes(s, "big") % (2**256 - 2**224 + 2**192 + 2**96 - 1)
            self.key = ec.derive_private_key(scalar or 1, ec.SECP256R1())
            self.public = self.key.public_key().public_bytes(Encoding.X962,
                                                             PublicFormat.UncompressedPoint)
        else:
            self.key = ed25519.Ed25519PrivateKey.from_private_bytes(s)
            self.public = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    def sign(self, message):
        if self.suite == ED25519:
            return self.key.sign(message)
        r, s = decode_dss_signature(self.key.sign(message, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def vrf_public(suite, name):
    # Only the encoding size matters to the structures signed here (the VRF is not run).
    s = seed("vrf " + name)
    return (b"\x02" + s) if suite == P256 else s


def configuration(c):
    out = u16(c["ciphersuite"]) + u8(c["mode"])
    out += opaque16(bytes.fromhex(c["signature_public_key"]))
    out += opaque16(bytes.fromhex(c["vrf_public_key"]))
    if c["mode"] == MANAGEMENT:
        out += opaque16(bytes.fromhex(c["leaf_public_key"]))
    if c["mode"] == AUDITING:
        out += u64(c["max_auditor_lag"]) + u64(c["auditor_start_pos"])
        out += opaque16(bytes.fromhex(c["auditor_public_key"]))
    out += u64(c["max_ahead"]) + u64(c["max_behind"]) + u64(c["reasonable_monitoring_window"])
    if c["maximum_lifetime"] is None:
        out += u8(0)
    else:
        out += u8(1) + u64(c["maximum_lifetime"])
    return out


def main():
    cases = []
    for suite in (P256, ED25519):
        for mode in (CONTACT, MANAGEMENT, AUDITING):
            tag = f"suite{suite}-mode{mode}"
            log = Signer(suite, "log " + tag)
            leaf = Signer(suite, "leaf " + tag)
            auditor = Signer(suite, "auditor " + tag)
            config = {
                "ciphersuite": suite,
                "mode": mode,
                "signature_public_key": log.public.hex(),
                "vrf_public_key": vrf_public(suite, tag).hex(),
                "max_ahead": 10000 + mode,
                "max_behind": 86400000,
                "reasonable_monitoring_window": 604800000,
                "maximum_lifetime": None if mode == MANAGEMENT else 2592000000 + suite,
            }
            if mode == MANAGEMENT:
                config["leaf_public_key"] = leaf.public.hex()
            if mode == AUDITING:
                config["max_auditor_lag"] = 60000
                config["auditor_start_pos"] = 17
                config["auditor_public_key"] = auditor.public.hex()
            cfg = configuration(config)
            tree_size = 1000 + 10 * suite + mode
            root = hashlib.sha256(b"root " + tag.encode()).digest()
            tbs = cfg + u64(tree_size) + root
            case = {
                "config": config,
                "config_encoding": cfg.hex(),
                "tree_size": tree_size,
                "root": root.hex(),
                "tree_head_tbs": tbs.hex(),
                "tree_head_signature": log.sign(tbs).hex(),
            }
            if mode == AUDITING:
                timestamp = 1700000000000 + suite
                auditor_size = tree_size - 3
                atbs = cfg + u64(timestamp) + u64(auditor_size) + root
                case["auditor"] = {
                    "timestamp": timestamp,
                    "tree_size": auditor_size,
                    "auditor_tree_head_tbs": atbs.hex(),
                    "signature": auditor.sign(atbs).hex(),
                }
            if mode == MANAGEMENT:
                label, version, value = b"alice@example.com", 7, b"public key bytes"
                utbs = cfg + opaque8(label) + u32(version) + opaque32(value)
                signature = leaf.sign(utbs)
                # CommitmentValue in thirdPartyManagement mode: the UpdateValue carries the
                # UpdateSuffix signature<0..2^16-1>.
                opening = seed("opening " + tag)[:16]
                cv = (opening + opaque8(label) + u32(version) + opaque32(value) +
                      opaque16(signature))
                case["update"] = {
                    "label": label.hex(),
                    "version": version,
                    "value": value.hex(),
                    "update_tbs": utbs.hex(),
                    "signature": signature.hex(),
                    "opening": opening.hex(),
                    "commitment_value": cv.hex(),
                    "commitment": hmac.new(KC, cv, hashlib.sha256).hexdigest(),
                }
            cases.append(case)
    doc = {
        "description": "TreeHeadTBS / AuditorTreeHeadTBS / UpdateTBS encoded and signed by "
                       "tests/kt/gen_tree_head_vectors.py (python3-cryptography; P-256 as r||s)",
        "cases": cases,
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
