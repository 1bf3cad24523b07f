"""FISCO BCOS transaction formats: 2.x RLP (:mod:`.v2`) and 3.x TARS (:mod:`.v3`)."""
