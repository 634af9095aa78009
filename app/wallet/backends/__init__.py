"""Chain backends: the async interface the wallet and swap engine use to reach a chain."""
