"""The headless client (no Qt): `client.Client` composes the parts of this package."""
