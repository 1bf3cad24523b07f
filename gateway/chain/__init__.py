"""FISCO BCOS chain client: crypto suites, transactions, ABI, JSON-RPC transports.

``suite`` (SM or ECDSA per chain), ``tx.v2`` / ``tx.v3`` (RLP and TARS transactions),
``abi`` / ``artifact`` / ``contract`` (ABI-bound contracts), ``transport`` (HTTP, retries, the
in-process slot), ``rpc`` (2.x and 3.x wire dialects), ``client`` (:class:`ChainClient`),
``results`` / ``node_info`` (typed results) and ``errors``. Importing does nothing else.
"""
