"""HD wallet: mnemonic, keys, addresses, keystore, coin selection, transactions, chain backends."""
