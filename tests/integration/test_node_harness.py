from simnet.node import RegtestNode


def test_node_mines_and_funds_a_script(ltc_node: RegtestNode) -> None:
    script = bytes.fromhex("0014") + bytes(range(20))
    txid, vout = ltc_node.fund_script(script, 123_456_789)
    tx = ltc_node.rpc("getrawtransaction", txid, True)
    assert tx["confirmations"] >= 1
    assert tx["vout"][vout]["scriptPubKey"]["hex"] == script.hex()
