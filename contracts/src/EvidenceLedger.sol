// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Governed.sol";

/// @title EvidenceLedger
/// @notice Anchors of the gateway's evidence log: Merkle batch roots (RFC 6962 style SM3 trees
/// built by the gateway) chained root to root, and a per-record direct mode.
/// @dev Every evidence record has a sequence number starting at 1. Batches and direct records
/// share that sequence, and each anchor must continue it without a gap, so a missing or
/// duplicated record shows up on chain as a refused transaction. Only gateway accounts
/// authorised by the governors may anchor.
contract EvidenceLedger is Governed {
    struct Batch {
        bytes32 root;
        uint64 count;
        uint64 firstSeq;
        uint64 lastSeq;
        bytes32 prevRoot;
        uint64 anchoredAt;
        address gateway;
    }

    struct Record {
        bytes32 digest;
        uint64 anchoredAt;
        address gateway;
    }

    mapping(address => bool) private _gateways;
    Batch[] private _batches;
    mapping(bytes32 => uint256) private _batchNumberByRoot;
    mapping(uint64 => Record) private _records;
    mapping(bytes32 => uint64) private _seqByDigest;
    uint256 private _recordCount;
    bytes32 private _latestRoot;
    uint64 private _lastSequence;

    event GatewayAuthorised(address indexed account, address indexed by);
    event GatewayDeauthorised(address indexed account, address indexed by);
    event BatchAnchored(
        bytes32 indexed root,
        uint256 indexed batchIndex,
        address indexed gateway,
        uint64 count,
        uint64 firstSeq,
        uint64 lastSeq,
        bytes32 prevRoot
    );
    event RecordAnchored(bytes32 indexed recordDigest, uint64 indexed seq, address indexed gateway);
    event LogContinued(uint64 lastSeq, bytes32 latestRoot, address indexed by);

    modifier onlyGateway() {
        require(_gateways[msg.sender], "EvidenceLedger: caller is not an authorised gateway");
        _;
    }

    function authoriseGateway(address account) public onlyGovernor {
        require(account != address(0), "EvidenceLedger: account is the zero address");
        require(!_gateways[account], "EvidenceLedger: gateway is already authorised");
        _gateways[account] = true;
        emit GatewayAuthorised(account, msg.sender);
    }

    function deauthoriseGateway(address account) public onlyGovernor {
        require(_gateways[account], "EvidenceLedger: gateway is not authorised");
        _gateways[account] = false;
        emit GatewayDeauthorised(account, msg.sender);
    }

    function isGateway(address account) external view returns (bool) {
        return _gateways[account];
    }

    /// @notice Continue an evidence log anchored on another chain (a chain handover): before
    /// anything is anchored here, a governor sets the last sequence and root of the old chain,
    /// as the handover record carries them, so the next anchor continues them.
    function continueFrom(uint64 lastSeq, bytes32 latestRoot) public onlyGovernor {
        require(
            _lastSequence == 0 && _batches.length == 0 && _recordCount == 0,
            "EvidenceLedger: anchors exist already"
        );
        require(lastSeq > 0, "EvidenceLedger: nothing to continue");
        _lastSequence = lastSeq;
        _latestRoot = latestRoot;
        emit LogContinued(lastSeq, latestRoot, msg.sender);
    }

    /// @notice Anchor the Merkle root over records firstSeq..lastSeq; prevRoot must be the
    /// latest anchored root (zero before the first batch).
    function anchorBatch(
        bytes32 root,
        uint64 count,
        uint64 firstSeq,
        uint64 lastSeq,
        bytes32 prevRoot
    ) public onlyGateway {
        require(root != bytes32(0), "EvidenceLedger: root is empty");
        require(_batchNumberByRoot[root] == 0, "EvidenceLedger: root already anchored");
        require(prevRoot == _latestRoot, "EvidenceLedger: previous root is not the latest root");
        require(firstSeq == _lastSequence + 1, "EvidenceLedger: sequence does not continue the last anchor");
        require(lastSeq >= firstSeq, "EvidenceLedger: sequence range is empty");
        require(count == lastSeq - firstSeq + 1, "EvidenceLedger: record count does not match the sequence range");
        _batches.push(Batch(root, count, firstSeq, lastSeq, prevRoot, uint64(block.timestamp), msg.sender));
        _batchNumberByRoot[root] = _batches.length;
        _latestRoot = root;
        _lastSequence = lastSeq;
        emit BatchAnchored(root, _batches.length - 1, msg.sender, count, firstSeq, lastSeq, prevRoot);
    }

    /// @notice Direct mode: anchor one record's digest at the next sequence number.
    function anchorRecord(bytes32 recordDigest, uint64 seq) public onlyGateway {
        require(recordDigest != bytes32(0), "EvidenceLedger: record digest is empty");
        require(_seqByDigest[recordDigest] == 0, "EvidenceLedger: record already anchored");
        require(seq == _lastSequence + 1, "EvidenceLedger: sequence does not continue the last anchor");
        _records[seq] = Record(recordDigest, uint64(block.timestamp), msg.sender);
        _seqByDigest[recordDigest] = seq;
        _recordCount += 1;
        _lastSequence = seq;
        emit RecordAnchored(recordDigest, seq, msg.sender);
    }

    function batchByRoot(bytes32 root)
        external
        view
        returns (
            uint256 batchIndex,
            uint64 count,
            uint64 firstSeq,
            uint64 lastSeq,
            bytes32 prevRoot,
            uint64 anchoredAt,
            address gateway
        )
    {
        uint256 number = _batchNumberByRoot[root];
        require(number != 0, "EvidenceLedger: unknown root");
        Batch storage batch = _batches[number - 1];
        return (number - 1, batch.count, batch.firstSeq, batch.lastSeq, batch.prevRoot, batch.anchoredAt, batch.gateway);
    }

    function batchAt(uint256 batchIndex)
        external
        view
        returns (
            bytes32 root,
            uint64 count,
            uint64 firstSeq,
            uint64 lastSeq,
            bytes32 prevRoot,
            uint64 anchoredAt,
            address gateway
        )
    {
        require(batchIndex < _batches.length, "EvidenceLedger: batch index out of range");
        Batch storage batch = _batches[batchIndex];
        return (batch.root, batch.count, batch.firstSeq, batch.lastSeq, batch.prevRoot, batch.anchoredAt, batch.gateway);
    }

    /// @notice The batch whose sequence range holds `seq` (binary search over the batches,
    /// which are ordered by sequence).
    function batchBySequence(uint64 seq)
        external
        view
        returns (
            uint256 batchIndex,
            bytes32 root,
            uint64 firstSeq,
            uint64 lastSeq
        )
    {
        uint256 low = 0;
        uint256 high = _batches.length;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            if (_batches[middle].lastSeq < seq) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        require(
            low < _batches.length && _batches[low].firstSeq <= seq,
            "EvidenceLedger: sequence is not in an anchored batch"
        );
        Batch storage batch = _batches[low];
        return (low, batch.root, batch.firstSeq, batch.lastSeq);
    }

    function recordBySequence(uint64 seq)
        external
        view
        returns (
            bytes32 recordDigest,
            uint64 anchoredAt,
            address gateway
        )
    {
        Record storage record = _records[seq];
        require(record.digest != bytes32(0), "EvidenceLedger: sequence is not an anchored record");
        return (record.digest, record.anchoredAt, record.gateway);
    }

    function recordByDigest(bytes32 recordDigest) external view returns (uint64 seq, uint64 anchoredAt) {
        uint64 found = _seqByDigest[recordDigest];
        require(found != 0, "EvidenceLedger: unknown record digest");
        return (found, _records[found].anchoredAt);
    }

    /// @notice The root of the last batch (zero before the first batch).
    function latestRoot() external view returns (bytes32) {
        return _latestRoot;
    }

    /// @notice The last anchored sequence number (0 before any anchor).
    function lastSequence() external view returns (uint64) {
        return _lastSequence;
    }

    function nextSequence() external view returns (uint64) {
        return _lastSequence + 1;
    }

    function batchCount() external view returns (uint256) {
        return _batches.length;
    }

    function recordCount() external view returns (uint256) {
        return _recordCount;
    }

    function _label() internal pure override returns (string memory) {
        return "EvidenceLedger";
    }
}
