"""The alliance's contracts on a chain: artefacts, deployment, and the runtime that opens them."""
