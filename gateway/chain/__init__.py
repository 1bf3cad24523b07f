"""FISCO BCOS chain client: crypto suites, transactions, ABI, JSON-RPC transports."""
