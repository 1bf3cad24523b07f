// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Governed.sol";

/// @title RecordStore
/// @notice Generic on-chain records (上链记录) for the console's search, detail and
/// history-of-changes views: key -> versions of (content hash, uploader, organisation, data
/// source, record type, time). A tombstone version marks a deletion; history is never erased.
/// @dev Only writer accounts authorised by the governors may add versions. Store digests, never
/// raw personal data.
contract RecordStore is Governed {
    struct Version {
        bytes32 contentHash;
        string uploader;
        string organisation;
        string dataSource;
        string recordType;
        bool tombstone;
        uint64 recordedAt;
        address writer;
    }

    mapping(address => bool) private _writers;
    mapping(bytes32 => Version[]) private _versions;
    bytes32[] private _keys;

    event WriterAuthorised(address indexed account, address indexed by);
    event WriterDeauthorised(address indexed account, address indexed by);
    event RecordVersionPut(
        bytes32 indexed key,
        uint256 indexed version,
        bytes32 indexed contentHash,
        string recordType,
        bool tombstone,
        address writer
    );

    modifier onlyWriter() {
        require(_writers[msg.sender], "RecordStore: caller is not an authorised writer");
        _;
    }

    function authoriseWriter(address account) public onlyGovernor {
        require(account != address(0), "RecordStore: account is the zero address");
        require(!_writers[account], "RecordStore: writer is already authorised");
        _writers[account] = true;
        emit WriterAuthorised(account, msg.sender);
    }

    function deauthoriseWriter(address account) public onlyGovernor {
        require(_writers[account], "RecordStore: writer is not authorised");
        _writers[account] = false;
        emit WriterDeauthorised(account, msg.sender);
    }

    function isWriter(address account) external view returns (bool) {
        return _writers[account];
    }

    /// @notice Append a version to `key`'s history; a tombstone marks the record deleted.
    function putVersion(
        bytes32 key,
        bytes32 contentHash,
        string memory uploader,
        string memory organisation,
        string memory dataSource,
        string memory recordType,
        bool tombstone
    ) public onlyWriter {
        require(key != bytes32(0), "RecordStore: key is empty");
        Version[] storage history = _versions[key];
        if (tombstone) {
            require(history.length > 0, "RecordStore: record does not exist");
            require(!history[history.length - 1].tombstone, "RecordStore: record is already deleted");
        } else {
            require(contentHash != bytes32(0), "RecordStore: content hash is empty");
        }
        if (history.length == 0) {
            _keys.push(key);
        }
        history.push(
            Version(
                contentHash,
                uploader,
                organisation,
                dataSource,
                recordType,
                tombstone,
                uint64(block.timestamp),
                msg.sender
            )
        );
        emit RecordVersionPut(key, history.length - 1, contentHash, recordType, tombstone, msg.sender);
    }

    function versionCount(bytes32 key) external view returns (uint256) {
        return _versions[key].length;
    }

    function getVersion(bytes32 key, uint256 index)
        external
        view
        returns (
            bytes32 contentHash,
            string memory uploader,
            string memory organisation,
            string memory dataSource,
            string memory recordType,
            bool tombstone,
            uint64 recordedAt,
            address writer
        )
    {
        Version[] storage history = _versions[key];
        require(history.length > 0, "RecordStore: unknown key");
        require(index < history.length, "RecordStore: version out of range");
        Version storage version = history[index];
        return (
            version.contentHash,
            version.uploader,
            version.organisation,
            version.dataSource,
            version.recordType,
            version.tombstone,
            version.recordedAt,
            version.writer
        );
    }

    /// @notice The latest version's index and content hash; a deleted record reports its tombstone.
    function latestVersion(bytes32 key)
        external
        view
        returns (
            uint256 index,
            bytes32 contentHash,
            bool tombstone,
            uint64 recordedAt
        )
    {
        Version[] storage history = _versions[key];
        require(history.length > 0, "RecordStore: unknown key");
        Version storage version = history[history.length - 1];
        return (history.length - 1, version.contentHash, version.tombstone, version.recordedAt);
    }

    function keyCount() external view returns (uint256) {
        return _keys.length;
    }

    function keyAt(uint256 index) external view returns (bytes32) {
        require(index < _keys.length, "RecordStore: index out of range");
        return _keys[index];
    }

    function _label() internal pure override returns (string memory) {
        return "RecordStore";
    }
}
