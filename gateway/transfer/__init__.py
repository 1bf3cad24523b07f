"""Property-transfer registration cases (不动产转移登记, 一件事一次办) on ``TransferCase``."""
