"""devnode: an embedded single-node FISCO BCOS 2.x compatible chain running py-evm."""
