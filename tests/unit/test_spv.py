"""SPV: proof of work and difficulty against real mainnet headers and Core's retarget vectors,
the header chain with forks, merkle proofs, and reading raw transactions."""

from __future__ import annotations

import dataclasses

import pytest

from app.wallet.header_chain import HeaderChain
from app.wallet.spv import (
    ChainRules,
    Checkpoint,
    SpvError,
    _calculate_retarget,
    bits_to_target,
    merkle_root_from_proof,
    parse_header,
    pow_hash,
    target_to_bits,
    verify_merkle,
)
from app.wallet.spv_params import (
    BTC_MAINNET,
    BTC_TESTNET4,
    LTC_MAINNET,
    LTC_REGTEST,
    rules_for_genesis,
)
from app.wallet.txparse import TxParseError, parse_tx
from dexproto.assets import Network
from dexproto.crypto import sha256d
from tests.headerchains import extend, header_bytes, mine, regtest_chain

BTC_0 = bytes.fromhex(
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
)
BTC_1 = bytes.fromhex(
    "010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744"
    "bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299"
)
BTC_2 = bytes.fromhex(
    "010000004860eb18bf1b1620e37e9490fc8a427514416fd75159ab86688e9a8300000000d5fdcc541e25de1c"
    "7a5addedf24858b8bb665c9f36ef744ee42c316022c90f9bb0bc6649ffff001d08d2bd61"
)


def from_genesis(rules: ChainRules) -> ChainRules:
    """The rules with the chain started at genesis instead of the pinned checkpoint."""
    return dataclasses.replace(rules, checkpoint=Checkpoint(0, rules.genesis))


BTC_FROM_0 = from_genesis(BTC_MAINNET)


def ltc_genesis() -> bytes:
    merkle = bytes.fromhex("97ddfbbae6be97fd6cdf3e7ca13232a3afff2353e29badfab7f73011edd4ced9")
    return (
        (1).to_bytes(4, "little")
        + b"\x00" * 32
        + merkle[::-1]
        + (1317972665).to_bytes(4, "little")
        + (0x1E0FFFF0).to_bytes(4, "little")
        + (2084524493).to_bytes(4, "little")
    )


def test_bitcoin_mainnet_headers_pass_sha256d_pow_and_links() -> None:
    chain = HeaderChain(BTC_FROM_0, BTC_0)
    assert chain.connect(1, [BTC_1, BTC_2])
    assert chain.tip.hash_hex == "000000006a625f06636b8bb6ac7b960a8d03705d1ace08b1a19da3fdcc99ddbd"
    assert chain.median_time_past() == parse_header(BTC_1).time


def test_a_tampered_mainnet_header_lacks_the_work() -> None:
    chain = HeaderChain(BTC_FROM_0, BTC_0)
    forged = BTC_1[:76] + (int.from_bytes(BTC_1[76:], "little") ^ 1).to_bytes(4, "little")
    with pytest.raises(SpvError, match="proof of work"):
        chain.connect(1, [forged])
    easier = BTC_1[:72] + (0x1D01FFFF).to_bytes(4, "little") + BTC_1[76:]
    with pytest.raises(SpvError, match="bits"):
        chain.connect(1, [easier])
    with pytest.raises(SpvError, match="prev"):
        chain.connect(1, [BTC_2])
    assert chain.tip_height == 0


def test_a_wrong_checkpoint_header_is_refused() -> None:
    with pytest.raises(SpvError, match="checkpoint"):
        HeaderChain(BTC_FROM_0, BTC_1)


def test_litecoin_genesis_passes_scrypt_and_fails_sha256d() -> None:
    raw = ltc_genesis()
    header = parse_header(raw)
    assert header.hash_hex == LTC_MAINNET.genesis
    HeaderChain(from_genesis(LTC_MAINNET), raw)
    assert pow_hash(LTC_MAINNET, raw) <= bits_to_target(header.bits)
    assert pow_hash(BTC_MAINNET, raw) > bits_to_target(header.bits)


@pytest.mark.parametrize(
    ("last_bits", "last_time", "first_time", "expected"),
    [
        (0x1D00FFFF, 1262152739, 1261130161, 0x1D00D86A),  # block 32256: the first retarget
        (0x1D00FFFF, 1233061996, 1231006505, 0x1D00FFFF),  # capped at the pow limit
        (0x1C05A3F4, 1279297671, 1279008237, 0x1C0168FD),  # a fast period: a quarter at most
        (0x1C387F6F, 1269211443, 1263163443, 0x1D00E1FD),  # a slow period: four times at most
    ],
)
def test_bitcoin_retarget_matches_cores_vectors(
    last_bits: int, last_time: int, first_time: int, expected: int
) -> None:
    last = parse_header(header_bytes(b"\x00" * 32, last_time, last_bits))
    first = parse_header(header_bytes(b"\x00" * 32, first_time, last_bits))
    assert _calculate_retarget(BTC_MAINNET, last, first) == expected


def test_compact_bits_round_trip() -> None:
    for bits in (0x1D00FFFF, 0x1D00D86A, 0x17021EC5, 0x207FFFFF, 0x1E0FFFF0):
        assert target_to_bits(bits_to_target(bits)) == bits
    assert target_to_bits((1 << 224) - 1) == 0x1D00FFFF


def test_the_chain_follows_the_most_work_branch() -> None:
    chain, genesis = regtest_chain()
    main = extend(genesis, 5, 1_296_700_000)
    assert chain.connect(1, main) and chain.tip_height == 5
    # A shorter branch from height 2 is valid but has less work: ours stays.
    weak = extend(main[1], 2, 1_296_800_000, salt=1)
    assert not chain.connect(3, weak)
    assert chain.tip.raw == main[-1]
    # A longer one wins: the chain reorganizes onto it.
    strong = extend(main[1], 5, 1_296_900_000, salt=2)
    assert chain.connect(3, strong)
    assert chain.tip_height == 7 and chain.tip.raw == strong[-1]
    assert chain.at(2).raw == main[1] and chain.has(3, parse_header(strong[0]).hash_hex)
    # Headers that do not connect anywhere are refused.
    with pytest.raises(SpvError):
        chain.connect(9, extend(main[-1], 1, 1_297_000_000))


def test_regtest_bits_must_stay_at_the_limit() -> None:
    chain, genesis = regtest_chain()
    easier_looking = header_bytes(sha256d(genesis), 1_296_700_000, 0x1F7FFFFF)
    with pytest.raises(SpvError, match="bits"):
        chain.connect(1, [easier_looking])


def test_time_must_pass_the_median_time_past() -> None:
    chain, genesis = regtest_chain()
    raws = extend(genesis, 11, 1_296_700_000)
    chain.connect(1, raws)
    stale = mine(sha256d(raws[-1]), chain.median_time_past())
    with pytest.raises(SpvError, match="median time"):
        chain.connect(12, [stale])


def merkle_tree(txids: list[str]) -> tuple[bytes, list[list[bytes]]]:
    level = [bytes.fromhex(t)[::-1] for t in txids]
    levels = [level]
    while len(level) > 1:
        if len(level) % 2:
            level = [*level, level[-1]]
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
        levels.append(level)
    return level[0], levels


def branch_for(levels: list[list[bytes]], pos: int) -> list[str]:
    branch = []
    for level in levels[:-1]:
        padded = [*level, level[-1]] if len(level) % 2 else level
        branch.append(padded[pos ^ 1][::-1].hex())
        pos //= 2
    return branch


def test_merkle_proofs_against_a_header() -> None:
    txids = [sha256d(bytes([i]))[::-1].hex() for i in range(5)]
    root, levels = merkle_tree(txids)
    header = parse_header(header_bytes(b"\x00" * 32, 1, 0x207FFFFF, merkle=root))
    raw_tx = b"\x01" * 100
    for pos, txid in enumerate(txids):
        verify_merkle(header, txid, raw_tx, pos, branch_for(levels, pos))
    with pytest.raises(SpvError, match="does not match"):
        verify_merkle(header, txids[1], raw_tx, 2, branch_for(levels, 1))
    with pytest.raises(SpvError, match="64-byte"):
        verify_merkle(header, txids[0], b"\x00" * 64, 0, branch_for(levels, 0))
    with pytest.raises(SpvError, match="pos"):
        merkle_root_from_proof(txids[0], 8, branch_for(levels, 0))


def test_the_genesis_hash_picks_the_chain_actually_run() -> None:
    assert rules_for_genesis("btc", Network.REGTEST, LTC_REGTEST.genesis) is LTC_REGTEST
    assert rules_for_genesis("ltc", Network.MAINNET, "00" * 32) is None
    assert rules_for_genesis("btc", Network.MAINNET, BTC_MAINNET.genesis) is BTC_MAINNET
    # Bitcoin testnet is testnet4 only (BIP94): a testnet3 server is refused by its genesis.
    testnet3 = "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"
    assert rules_for_genesis("btc", Network.TESTNET, testnet3) is None
    assert rules_for_genesis("btc", Network.TESTNET, BTC_TESTNET4.genesis) is BTC_TESTNET4


def test_parse_tx_computes_the_txid_without_witness() -> None:
    # Bitcoin's block 170 spend (legacy) and a segwit transaction built here.
    legacy = bytes.fromhex(
        "0100000001c997a5e56e104102fa209c6a852dd90660a20b2d9c352423edce25857fcd3704000000004847"
        "304402204e45e16932b8af514961a1d3a1a25fdf3f4f7732e9d624c6c61548ab5fb8cd410220181522ec8e"
        "ca07de4860a4acdd12909d831cc56cbbac4622082221a8768d1d0901ffffffff0200ca9a3b000000004341"
        "04ae1a62fe09c5f51b13905f07f06b99a2f7159b2225f374cd378d71302fa28414e7aab37397f554a7df5f"
        "142c21c1b7303b8a0626f1baded5c72a704f7e6cd84cac00286bee0000000043410411db93e1dcdb8a016b"
        "49840f8c53bc1eb68a382e97b1482ecad7b148a6909a5cb2e0eaddfb84ccf9744464f82e160bfa9b8b64f9"
        "d4c03f999b8643f656b412a3ac00000000"
    )
    tx = parse_tx(legacy)
    assert tx.txid == "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
    assert tx.inputs[0] is not None and tx.inputs[0].vout == 0
    assert [v for _, v in tx.outputs] == [1_000_000_000, 4_000_000_000]
    segwit = legacy[:4] + b"\x00\x01" + legacy[4:-4] + b"\x01\x02\xab\xcd" + legacy[-4:]
    assert parse_tx(segwit).txid == tx.txid
    with pytest.raises(TxParseError):
        parse_tx(legacy[:-1])
