"""Flat contract state for py-evm: accounts, storage slots and code as rows, no Merkle trie.

A FISCO BCOS 2.x node keeps contract state in tables, not in an Ethereum state trie (its
blocks carry a zero ``stateRoot`` and a ``dbHash`` over the block's table changes). The
devnode does the same: py-evm runs against :class:`FlatAccountDB`, which reads committed
state from :class:`FlatState` and journals the changes of the block being built; the
block's change set is written to SQLite with the block, and the block's ``stateRoot`` is
a hash chain over those change sets (``H(parent_root ‖ H(rlp(changes)))``), so equal roots
mean equal histories. Skipping the trie makes sealing several times cheaper than py-evm's
``AccountDB.persist``.

Journal: one change map per transaction with an undo log (checkpoints are log positions);
``lock_changes`` folds the transaction into the block's changes and resets EIP-2929 warm
sets, so ``get_storage(from_journal=False)`` sees the value at the start of the transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import rlp
from eth.constants import BLANK_ROOT_HASH, EMPTY_SHA3
from eth_hash.auto import keccak
from eth_typing import Address, Hash32

_MISSING = object()
CACHE_LIMIT = 1_000_000
PRELOAD_LIMIT = 20_000  # slots of one contract loaded at once when first touched


@dataclass(frozen=True)
class Account:
    nonce: int = 0
    balance: int = 0
    code_hash: bytes = EMPTY_SHA3
    incarnation: int = 0  # bumped when the account's storage is wiped (CREATE over a dead one)
    exists: bool = True  # False: a self-destructed account, kept for its incarnation


EMPTY_ACCOUNT = Account()
StorageKey = tuple[bytes, int, int]  # (address, incarnation, slot)


@dataclass
class StateChanges:
    """One block's effect on state (deleted accounts are tombstones with ``exists=False``)."""

    accounts: dict[bytes, Account | None] = field(default_factory=dict)
    storage: dict[StorageKey, int] = field(default_factory=dict)
    code: dict[bytes, bytes] = field(default_factory=dict)

    def digest(self, hash_fn: Callable[[bytes], bytes]) -> bytes:
        accounts = [
            [a, []]
            if v is None
            else [a, [v.nonce, v.balance, v.code_hash, v.incarnation, v.exists]]
            for a, v in sorted(self.accounts.items())
        ]
        storage = [[a, i, s, v] for (a, i, s), v in sorted(self.storage.items())]
        return hash_fn(rlp.encode([accounts, storage, sorted(self.code)]))


class FlatState:
    """Committed state: read-through caches over loaders from the store.

    Readers (calls, the sealer) hold :meth:`reading`; :meth:`apply` swaps a committed
    block's changes in under the write side, so no reader sees half a block.
    """

    def __init__(
        self,
        load_account: Callable[[bytes], Account | None],
        load_storage: Callable[[bytes, int, int], int],
        load_code: Callable[[bytes], bytes | None],
        load_all_storage: Callable[[bytes, int, int], dict[int, int] | None] | None = None,
    ) -> None:
        self._load_account = load_account
        self._load_storage = load_storage
        self._load_code = load_code
        self._load_all_storage = load_all_storage
        # (address, incarnation) whose every stored slot is in the cache: a miss is a zero
        self._complete: set[tuple[bytes, int]] = set()
        self._probed: set[tuple[bytes, int]] = set()
        self._accounts: dict[bytes, Account | None] = {}
        self._storage: dict[StorageKey, int] = {}
        self._code: dict[bytes, bytes] = {}
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    @contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    def apply(self, changes: StateChanges) -> None:
        with self._cond:
            self._writing = True
            while self._readers:
                self._cond.wait()
            try:
                if len(self._storage) > CACHE_LIMIT:
                    self._storage.clear()
                    self._complete.clear()
                    self._probed.clear()
                if len(self._accounts) > CACHE_LIMIT:
                    self._accounts.clear()
                self._accounts.update(changes.accounts)
                self._storage.update(changes.storage)
                self._code.update(changes.code)
            finally:
                self._writing = False
                self._cond.notify_all()

    def account(self, address: bytes) -> Account | None:
        found = self._accounts.get(address, _MISSING)
        if found is _MISSING:
            found = self._accounts[address] = self._load_account(address)
        return found  # type: ignore[return-value]

    def storage(self, key: StorageKey) -> int:
        found = self._storage.get(key)
        if found is not None:
            return found
        owner = (key[0], key[1])
        if owner in self._complete:
            return 0
        if self._load_all_storage is not None and owner not in self._probed:
            # One query for a contract's whole (small) storage instead of one per new slot:
            # new slots (fresh records, mapping entries) are the common miss and are zero.
            self._probed.add(owner)
            rows = self._load_all_storage(key[0], key[1], PRELOAD_LIMIT)
            if rows is not None:
                self._storage.update({(key[0], key[1], slot): v for slot, v in rows.items()})
                self._complete.add(owner)
                return self._storage.get(key, 0)
        found = self._storage[key] = self._load_storage(*key)
        return found

    def code(self, code_hash: bytes) -> bytes:
        if code_hash == EMPTY_SHA3:
            return b""
        found = self._code.get(code_hash)
        if found is None:
            found = self._load_code(code_hash)
            if found is None:
                raise KeyError(f"code {code_hash.hex()} is missing from the store")
            self._code[code_hash] = found
        return found


class FlatAccountDB:
    """py-evm's ``AccountDatabaseAPI`` over :class:`FlatState` (configured into the State)."""

    def __init__(self, db: Any, state_root: Hash32 = BLANK_ROOT_HASH) -> None:
        self._base: FlatState = db
        self._root = state_root
        self.block = StateChanges()
        self._tx = StateChanges()
        self._undo: list[tuple[dict[Any, Any], Any, Any]] = []
        self._warm_accounts: set[bytes] = set()
        self._warm_slots: set[tuple[bytes, int]] = set()

    # -- journal -------------------------------------------------------------------------
    def _put(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        self._undo.append((table, key, table.get(key, _MISSING)))
        table[key] = value

    def record(self) -> int:
        return len(self._undo)

    def discard(self, checkpoint: int) -> None:
        while len(self._undo) > checkpoint:
            table, key, old = self._undo.pop()
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old

    def commit(self, checkpoint: int) -> None:
        """Keep the changes; the undo entries stay for any enclosing checkpoint."""

    def lock_changes(self) -> None:
        self.block.accounts.update(self._tx.accounts)
        self.block.storage.update(self._tx.storage)
        self.block.code.update(self._tx.code)
        self._tx = StateChanges()
        self._undo.clear()
        self._warm_accounts.clear()
        self._warm_slots.clear()

    @property
    def state_root(self) -> Hash32:
        return self._root

    @state_root.setter
    def state_root(self, value: Hash32) -> None:
        self._root = value

    def has_root(self, state_root: bytes) -> bool:
        return state_root == self._root

    def make_state_root(self) -> Hash32:
        return self._root

    def persist(self) -> StateChanges:
        self.lock_changes()
        return self.block

    # -- accounts ------------------------------------------------------------------------
    def _account(self, address: bytes) -> Account | None:
        for table in (self._tx.accounts, self.block.accounts):
            found = table.get(address, _MISSING)
            if found is not _MISSING:
                return found  # type: ignore[return-value]
        return self._base.account(address)

    def _set_account(self, address: bytes, account: Account) -> None:
        self._put(self._tx.accounts, address, account)

    def _or_empty(self, address: bytes) -> Account:
        account = self._account(address)
        if account is None:
            return EMPTY_ACCOUNT
        if not account.exists:
            return Account(incarnation=account.incarnation)
        return account

    def get_balance(self, address: Address) -> int:
        return self._or_empty(address).balance

    def set_balance(self, address: Address, balance: int) -> None:
        account = self._or_empty(address)
        self._set_account(
            address, Account(account.nonce, balance, account.code_hash, account.incarnation)
        )

    def get_nonce(self, address: Address) -> int:
        return self._or_empty(address).nonce

    def set_nonce(self, address: Address, nonce: int) -> None:
        account = self._or_empty(address)
        self._set_account(
            address, Account(nonce, account.balance, account.code_hash, account.incarnation)
        )

    def increment_nonce(self, address: Address) -> None:
        self.set_nonce(address, self.get_nonce(address) + 1)

    def get_code_hash(self, address: Address) -> Hash32:
        return Hash32(self._or_empty(address).code_hash)

    def get_code(self, address: Address) -> bytes:
        code_hash = self._or_empty(address).code_hash
        for table in (self._tx.code, self.block.code):
            if code_hash in table:
                return table[code_hash]
        return self._base.code(code_hash)

    def set_code(self, address: Address, code: bytes) -> None:
        code_hash = keccak(code)
        self._put(self._tx.code, code_hash, code)
        account = self._or_empty(address)
        self._set_account(
            address, Account(account.nonce, account.balance, code_hash, account.incarnation)
        )

    def delete_code(self, address: Address) -> None:
        account = self._or_empty(address)
        self._set_account(
            address, Account(account.nonce, account.balance, EMPTY_SHA3, account.incarnation)
        )

    def account_has_code_or_nonce(self, address: Address) -> bool:
        account = self._or_empty(address)
        return account.nonce != 0 or account.code_hash != EMPTY_SHA3

    def delete_account(self, address: Address) -> None:
        account = self._account(address)
        if account is not None and account.exists:
            # a tombstone keeps the incarnation, so a re-created account starts with no storage
            self._set_account(address, Account(incarnation=account.incarnation + 1, exists=False))

    def account_exists(self, address: Address) -> bool:
        account = self._account(address)
        return account is not None and account.exists

    def touch_account(self, address: Address) -> None:
        if not self.account_exists(address):
            self._set_account(address, self._or_empty(address))

    def account_is_empty(self, address: Address) -> bool:
        account = self._or_empty(address)
        return account.nonce == 0 and account.balance == 0 and account.code_hash == EMPTY_SHA3

    # -- storage -------------------------------------------------------------------------
    def get_storage(self, address: Address, slot: int, from_journal: bool = True) -> int:
        key = (bytes(address), self._or_empty(address).incarnation, slot)
        tables = (self._tx.storage, self.block.storage) if from_journal else (self.block.storage,)
        for table in tables:
            found = table.get(key)
            if found is not None:
                return found
        return self._base.storage(key)

    def set_storage(self, address: Address, slot: int, value: int) -> None:
        key = (bytes(address), self._or_empty(address).incarnation, slot)
        self._put(self._tx.storage, key, value)

    def delete_storage(self, address: Address) -> None:
        account = self._or_empty(address)
        self._set_account(
            address,
            Account(account.nonce, account.balance, account.code_hash, account.incarnation + 1),
        )

    # -- EIP-2929 access sets ------------------------------------------------------------
    def is_address_warm(self, address: Address) -> bool:
        return address in self._warm_accounts

    def mark_address_warm(self, address: Address) -> None:
        self._warm_accounts.add(address)

    def is_storage_warm(self, address: Address, slot: int) -> bool:
        return (address, slot) in self._warm_slots

    def mark_storage_warm(self, address: Address, slot: int) -> None:
        self._warm_slots.add((address, slot))
