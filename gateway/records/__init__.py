"""On-chain records (上链记录): key records stored off chain, SM4-encrypted, and on chain."""
