"""EVM consortium chains (Besu, Quorum, Hardhat Network) behind the chain port (web3.py)."""
