#!/usr/bin/env python3
"""make_wire_seeds.py: writes the hand-made seeds of fuzz/corpus/kt_wire_fuzz/.

Each seed is: selector byte (which struct, see kt_wire_fuzz.cc), context byte (mode = 1 + b % 3,
VRF.Np = 80 / 81 by (b // 3) % 2, SearchResponse request-had-version by (b // 6) % 2), then a
valid encoding written from the draft's struct definitions. Stdlib only; rewrites only the files
named wire_seed_*.
"""
import struct
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "kt_wire_fuzz"

# Context bytes: contactMonitoring / thirdPartyManagement / thirdPartyAuditing with VRF.Np 80.
CONTACT, MANAGEMENT, AUDITING = 0, 1, 2
CONTACT_P256 = 3


def u8(v):
    return struct.pack(">B", v)


def u16(v):
    return struct.pack(">H", v)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def opaque8(b):
    return u8(len(b)) + b


def opaque16(b):
    return u16(len(b)) + b


def opaque32(b):
    return u32(len(b)) + b


def h(b):
    return bytes([b]) * 32


EMPTY_CTP = u8(0) + u8(0) + u8(0) + u16(0)
PREFIX_PROOF = (u8(3) + u8(1) + u8(3) + u8(2) + h(1) + h(2) + u8(2) + u8(3) + u8(5) + u16(2) +
                h(3) + h(4))
FULL_CTP = u8(2) + u64(1) + u64(2) + u8(1) + PREFIX_PROOF + u8(1) + h(5) + u16(1) + h(6)
SAME = u8(1)


def updated(auditing):
    head = u8(2) + u64(10) + opaque16(bytes(64))
    if auditing:
        head += u64(1700000000000) + u64(9) + opaque16(bytes(64))
    return head


def step(np, commitment):
    return bytes([0xaa]) * np + (u8(1) + h(7) if commitment else u8(0))


def config_auditing():
    return (u16(2) + u8(3) + opaque16(bytes(32)) + opaque16(bytes(32)) + u64(60000) + u64(17) +
            opaque16(bytes(32)) + u64(1) + u64(2) + u64(3) + u8(1) + u64(4))


def config_management_p256():
    return (u16(1) + u8(2) + opaque16(b"\x04" + bytes(64)) + opaque16(b"\x02" + bytes(32)) +
            opaque16(b"\x04" + bytes(64)) + u64(1) + u64(2) + u64(3) + u8(0))


SEEDS = {
    "config_auditing": (0, CONTACT, config_auditing()),
    "config_management": (0, CONTACT, config_management_p256()),
    "tree_head": (1, CONTACT, u64(5) + opaque16(bytes(64))),
    "tree_head_tbs": (2, CONTACT, config_auditing() + u64(5) + h(9)),
    "auditor_tree_head": (3, CONTACT, u64(1) + u64(2) + opaque16(bytes(64))),
    "auditor_tree_head_tbs": (4, CONTACT, config_auditing() + u64(1) + u64(2) + h(9)),
    "full_tree_head_auditing": (5, AUDITING, updated(True)),
    "update_value_management": (6, MANAGEMENT, opaque32(b"value") + opaque16(bytes(64))),
    "update_tbs": (7, CONTACT, config_management_p256() + opaque8(b"l") + u32(1) +
                   opaque32(b"v")),
    "commitment_value": (8, CONTACT, bytes(16) + opaque8(b"alice") + u32(7) + opaque32(b"v")),
    "binary_ladder_step": (9, CONTACT_P256, step(81, True)),
    "search_request": (10, CONTACT, u8(1) + u64(5) + opaque8(b"ab") + u8(0)),
    "search_response": (11, CONTACT, updated(False) + u32(3) + bytes(16) + opaque32(b"v") +
                        u8(2) + step(80, False) + step(80, True) + FULL_CTP),
    "monitor_map_entry": (12, CONTACT, u64(9) + u32(2)),
    "contact_monitor_request": (13, CONTACT, u8(0) + opaque8(b"c") + u8(2) + u64(1) + u32(0) +
                                u64(3) + u32(1)),
    "contact_monitor_response": (14, AUDITING, updated(True) + FULL_CTP),
    "owner_init_request": (15, CONTACT, u8(1) + u64(4) + opaque8(b"o") + u64(3)),
    "owner_init_response": (16, CONTACT, SAME + u8(2) + u32(5) + u32(4) + u16(1) +
                            step(80, True) + FULL_CTP),
    "owner_monitor_request": (17, CONTACT, u8(0) + opaque8(b"o") + u8(1) + u64(1) + u32(0) +
                              u64(8) + u8(1) + u32(2)),
    "owner_monitor_response": (18, CONTACT, updated(False) + FULL_CTP),
    "label_value": (19, CONTACT, opaque32(b"hello")),
    "update_request": (20, CONTACT, u8(0) + opaque8(b"u") + u8(1) + u32(1) + u8(2) +
                       opaque32(b"a") + opaque32(b"")),
    "update_info_management": (21, MANAGEMENT, bytes(16) + opaque16(bytes(64))),
    "update_response_management": (22, MANAGEMENT, SAME + u64(9) + u32(1) + u8(1) +
                                   opaque32(b"xy") + u8(1) + bytes(16) + opaque16(b"SS") +
                                   u8(1) + step(80, False) + EMPTY_CTP),
    "manager_update_request": (23, MANAGEMENT, u8(1) + u64(2) + opaque8(b"m") + u8(0) + u8(1) +
                               opaque32(b"v") + opaque16(bytes(64)) + u32(4)),
    "distinguished_request": (24, CONTACT, u8(0) + u8(1) + u64(7)),
    "distinguished_response": (25, CONTACT, SAME + FULL_CTP),
    "distinguished_head": (26, CONTACT, u8(2) + h(1) + h(2)),
    "credential_standard": (27, CONTACT, opaque8(b"c") + u32(3) + bytes(16) + opaque32(b"v") +
                            u8(1) + step(80, True) + u64(64) + u8(1) + PREFIX_PROOF),
    "credential_provisional": (27, CONTACT, opaque8(b"c") + u32(3) + bytes(16) + opaque32(b"") +
                               u8(0) + u64(64) + u8(2) + u64(65) + opaque16(bytes(64)) +
                               FULL_CTP),
    "credential_update": (28, CONTACT, FULL_CTP),
    "auditor_update": (29, CONTACT, u64(1) + u16(1) + h(2) + h(3) + u16(1) + h(4) + h(5) +
                       PREFIX_PROOF),
    # RFC 6979 A.2.5 P-256/SHA-256 "sample" signature, DER.
    "ecdsa_der": (30, CONTACT, bytes.fromhex(
        "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716022100f7cb1c94"
        "2d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8")),
}


def main():
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, (selector, context, body) in SEEDS.items():
        (CORPUS / f"wire_seed_{name}").write_bytes(bytes([selector, context]) + body)


if __name__ == "__main__":
    main()
