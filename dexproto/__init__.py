"""The DEX protocol shared by the client (app/) and the server (dexserver/): wire codec and
message models, JSON-RPC framing, signing, epoch shuffling and fairness, the protocol errors,
market-data shapes, the §9 HTLC contract template and the chain facts both sides need.

Pure: no I/O, no sockets, no Qt, and no import of app/, dexserver/ or simnet/
(tests/unit/test_package_boundaries.py checks it).
"""
