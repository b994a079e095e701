#!/usr/bin/env python3
"""Independent verifier of the zhengka credential test vectors.

Written from docs/credential-format.md, sharing no code with the Rust crate:
cbor2 decodes, pycose verifies ES256 and EdDSA, gmssl verifies SM2-with-SM3.
Prints one line per vector and exits non-zero on any disagreement.
"""
import json
import sys
import zlib
from pathlib import Path

import cbor2
from gmssl import sm2
from pycose.keys import EC2Key, OKPKey
from pycose.messages import Sign1Message

B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
ES256, EDDSA, SM2_SM3 = -7, -8, -65537
ZK, STATUS, CNF, CTI = -65537, 65535, 8, 7
SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


class Reject(Exception):
    pass


def b45decode(s):
    if len(s) % 3 == 1:
        raise Reject("malformed")
    out = bytearray()
    for i in range(0, len(s), 3):
        group = s[i:i + 3]
        if any(c not in B45 for c in group):
            raise Reject("malformed")
        n = sum(B45.index(c) * 45 ** k for k, c in enumerate(group))
        width = 2 if len(group) == 3 else 1
        if n >= 256 ** width:
            raise Reject("malformed")
        out += n.to_bytes(width, "big")
    return bytes(out)


def unwrap(qr):
    if not qr.startswith("ZK1:") or len(qr) > 2424:
        raise Reject("malformed")
    d = zlib.decompressobj()
    cose = d.decompress(b45decode(qr[4:]), 4097)
    if len(cose) > 4096 or not d.eof or d.unused_data:
        raise Reject("malformed")
    return cose


def parse_sign1(cose):
    obj = cbor2.loads(cose)
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != 18:
            raise Reject("malformed")
        obj = obj.value
    if not isinstance(obj, (list, tuple)) or len(obj) != 4:
        raise Reject("malformed")
    prot_bytes, unprot, payload, sig = obj
    prot = cbor2.loads(prot_bytes) if prot_bytes else {}
    if unprot or 2 in prot or set(prot) - {1, 4, 16} or 1 not in prot:
        raise Reject("malformed")
    return prot_bytes, prot, payload, sig


def sig_ok(alg, pub, prot_bytes, payload, sig, cose):
    if alg == SM2_SM3:
        tbs = cbor2.dumps(["Signature1", prot_bytes, b"", payload])
        r, s = int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")
        if len(sig) != 64 or not (0 < r < SM2_N and 0 < s < SM2_N):
            return False
        return bool(sm2.CryptSM2(None, pub[1:].hex()).verify_with_sm3(sig.hex(), tbs))
    msg = Sign1Message.decode(cose)
    if alg == ES256:
        msg.key = EC2Key(crv="P_256", x=pub[1:33], y=pub[33:65])
    else:
        msg.key = OKPKey(crv="ED25519", x=pub)
    try:
        return msg.verify_signature()
    except Exception:
        return False


def check_sig(cose, key_alg, pub):
    prot_bytes, prot, payload, sig = parse_sign1(cose)
    if prot[1] != key_alg:
        raise Reject("algorithm_mismatch")
    if not sig_ok(key_alg, pub, prot_bytes, payload, sig, cose):
        raise Reject("bad_signature")
    return prot, cbor2.loads(payload)


def load_trust(doc):
    anchor = bytes.fromhex(doc["trust_anchor"]["pub"])
    prot, body = check_sig(bytes.fromhex(doc["trust_list"]), ES256, anchor)
    assert prot[16] == "application/zhengka-trust-list+cbor"
    return {bytes(k["kid"]): k for k in body["keys"]}


def load_status(doc, trust):
    cose = bytes.fromhex(doc["status_list"])
    key = trust[bytes(parse_sign1(cose)[1][4])]
    assert "status_list" in key["purposes"]
    prot, claims = check_sig(cose, key["alg"], bytes(key["pub"]))
    assert prot[16] == "application/statuslist+cwt" and claims[65533]["bits"] == 2
    return claims[2], claims[6], claims[4], claims[65534], zlib.decompress(claims[65533]["lst"])


def verify_issued(cose, trust, status, now):
    prot = parse_sign1(cose)[1]
    key = trust.get(bytes(prot.get(4, b"")))
    if 4 not in prot:
        raise Reject("malformed")
    if key is None:
        raise Reject("unknown_key")
    _, claims = check_sig(cose, key["alg"], bytes(key["pub"]))
    kind = claims[ZK][0]
    if {1: "notice", 2: "card"}.get(kind) not in key["purposes"] or claims[1] != key["region"]:
        raise Reject("key_not_valid_for_purpose")
    if not key["valid_from"] <= claims[6] <= key["valid_to"]:
        raise Reject("key_expired")
    if claims.get(5, claims[6]) > now + 5:
        raise Reject("not_yet_valid")
    if now >= claims[4]:
        raise Reject("expired")
    if status and STATUS in claims:
        uri, iat, exp, ttl, bits = status
        ref = claims[STATUS]["status_list"]
        if ref["uri"] != uri:
            raise Reject("status_list_mismatch")
        if now >= exp or now > iat + min(ttl, 86400):
            raise Reject("stale_status")
        value = (bits[ref["idx"] // 4] >> (2 * (ref["idx"] % 4))) & 3
        if value:
            raise Reject({2: "suspended"}.get(value, "revoked"))
    return claims


def verify(qr, purpose, trust, status, now):
    cose = unwrap(qr)
    if purpose != "presentation":
        claims = verify_issued(cose, trust, status, now)
        if claims[ZK][0] != {"notice": 1, "card_install": 2}[purpose]:
            raise Reject("wrong_kind_for_purpose")
        return claims
    prot_bytes, prot, payload, sig = parse_sign1(cose)
    outer = cbor2.loads(payload)
    if 4 in prot or outer.get(ZK, {}).get(0) != 3:
        raise Reject("wrong_kind_for_purpose")
    card = verify_issued(outer[ZK][12], trust, status, now)
    if card[ZK][0] != 2:
        raise Reject("wrong_kind_for_purpose")
    dev = card[CNF][1]
    pub = bytes(dev[-2]) if dev[3] == EDDSA else b"\x04" + bytes(dev[-2]) + bytes(dev[-3])
    check_sig(cose, dev[3], pub)
    if not -5 <= now - outer[6] <= 30:
        raise Reject("replayed_or_stale_presentation")
    return card


def summary(claims):
    z = claims[ZK]
    ref = claims.get(STATUS, {}).get("status_list", {})
    return {"iss": claims[1], "iat": claims[6], "exp": claims[4], "kind": z[0], "permit_number": z[1],
            "holder_name": z[2], "employer_uscc": z[6], "status_idx": ref.get("idx")}


def main():
    root = Path(__file__).resolve().parents[2] / "testdata" / "credential"
    doc = json.loads((root / "vectors.json").read_text())
    trust = load_trust(doc)
    status = load_status(doc, trust)
    failed = 0
    for v in doc["vectors"]:
        try:
            claims = verify(v["qr"], v["purpose"], trust, status if v["use_status_list"] else None, v["now"])
            got = "valid"
            if "claims" in v and summary(claims) != v["claims"]:
                got = "claims differ"
        except Reject as r:
            got = str(r)
        except (ValueError, KeyError, TypeError, IndexError, zlib.error, cbor2.CBORDecodeError):
            got = "malformed"
        ok = got == v["expected"]
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {v['name']}: expected {v['expected']}, got {got}")
    print(f"{len(doc['vectors']) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
