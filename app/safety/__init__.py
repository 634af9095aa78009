"""Client-side safety rules: what Cambio refuses whatever a DEX server, a counterparty or a
node says (docs/security.md). `rules` holds the per-network constants, `limits` the user's
own limits (Settings, "Safety limits"); the checks built on them live beside them."""
