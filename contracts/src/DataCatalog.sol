// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Interfaces.sol";

/// @title DataCatalog
/// @notice The data resource catalogue (数据资源目录): entries owned by their provider member,
/// each with hash-linked versions and a status (published, retired).
/// @dev A version hash is the gateway's digest of the canonical entry document, which itself
/// contains the previous version's hash; the contract records the link and refuses a revision
/// that does not cite the current head, so the on-chain versions form one unbroken chain.
/// Sharing classes follow GB/T 38664 / 国发〔2016〕51号: 0 unconditional, 1 conditional, 2 not shared.
contract DataCatalog {
    uint8 public constant STATUS_NONE = 0;
    uint8 public constant STATUS_PUBLISHED = 1;
    uint8 public constant STATUS_RETIRED = 2;

    uint8 public constant SHARING_UNCONDITIONAL = 0;
    uint8 public constant SHARING_CONDITIONAL = 1;
    uint8 public constant SHARING_NOT_SHARED = 2;

    uint8 private constant MEMBER_ACTIVE = 2;
    uint32 private constant ROLE_PROVIDER = 1;

    struct Version {
        bytes32 versionHash;
        bytes32 previousHash;
        uint8 sharingClass;
        uint64 publishedAt;
        address publisher;
    }

    struct Entry {
        bytes32 provider;
        uint8 sharingClass;
        uint8 status;
        uint64 updatedAt;
        Version[] versions;
    }

    struct VersionRef {
        bytes32 entryId;
        uint256 index;
    }

    IMemberRegistry public registry;
    mapping(bytes32 => Entry) private _entries;
    mapping(bytes32 => VersionRef) private _versionRefs;
    bytes32[] private _entryIds;

    event EntryPublished(
        bytes32 indexed entryId,
        bytes32 indexed provider,
        bytes32 indexed versionHash,
        uint8 sharingClass,
        address by
    );
    event EntryRevised(
        bytes32 indexed entryId,
        bytes32 indexed versionHash,
        bytes32 indexed previousHash,
        uint256 version,
        uint8 sharingClass,
        address by
    );
    event EntryRetired(bytes32 indexed entryId, bytes32 indexed provider, address indexed by, string reason);

    constructor(address memberRegistry) public {
        require(memberRegistry != address(0), "DataCatalog: registry is the zero address");
        registry = IMemberRegistry(memberRegistry);
    }

    /// @notice Publish a new entry as version 0 (its previous hash is zero).
    function publishEntry(
        bytes32 entryId,
        bytes32 provider,
        uint8 sharingClass,
        bytes32 versionHash
    ) public {
        require(entryId != bytes32(0), "DataCatalog: entry id is empty");
        require(_entries[entryId].status == STATUS_NONE, "DataCatalog: entry already exists");
        _checkSharingClass(sharingClass);
        _authoriseProvider(provider);
        require(registry.hasRole(provider, ROLE_PROVIDER), "DataCatalog: member lacks the provider role");
        Entry storage entry = _entries[entryId];
        entry.provider = provider;
        entry.status = STATUS_PUBLISHED;
        _appendVersion(entryId, entry, versionHash, bytes32(0), sharingClass);
        _entryIds.push(entryId);
        emit EntryPublished(entryId, provider, versionHash, sharingClass, msg.sender);
    }

    /// @notice Add a version; `previousHash` must be the current head.
    function reviseEntry(
        bytes32 entryId,
        bytes32 versionHash,
        bytes32 previousHash,
        uint8 sharingClass
    ) public {
        Entry storage entry = _entries[entryId];
        require(entry.status != STATUS_NONE, "DataCatalog: unknown entry");
        require(entry.status == STATUS_PUBLISHED, "DataCatalog: entry is retired");
        _checkSharingClass(sharingClass);
        _authoriseProvider(entry.provider);
        bytes32 head = entry.versions[entry.versions.length - 1].versionHash;
        require(previousHash == head, "DataCatalog: previous hash is not the latest version");
        _appendVersion(entryId, entry, versionHash, previousHash, sharingClass);
        emit EntryRevised(entryId, versionHash, previousHash, entry.versions.length - 1, sharingClass, msg.sender);
    }

    /// @notice Retire an entry (final). The office may retire entries of any provider.
    function retireEntry(bytes32 entryId, string memory reason) public {
        Entry storage entry = _entries[entryId];
        require(entry.status != STATUS_NONE, "DataCatalog: unknown entry");
        require(entry.status == STATUS_PUBLISHED, "DataCatalog: entry is retired");
        if (!registry.isGovernor(msg.sender)) {
            _authoriseOwner(entry.provider);
        }
        entry.status = STATUS_RETIRED;
        entry.updatedAt = uint64(block.timestamp);
        emit EntryRetired(entryId, entry.provider, msg.sender, reason);
    }

    function getEntry(bytes32 entryId)
        external
        view
        returns (
            bytes32 provider,
            uint8 sharingClass,
            uint8 status,
            uint256 versionCount,
            bytes32 latestHash,
            uint64 updatedAt
        )
    {
        Entry storage entry = _entries[entryId];
        require(entry.status != STATUS_NONE, "DataCatalog: unknown entry");
        return (
            entry.provider,
            entry.sharingClass,
            entry.status,
            entry.versions.length,
            entry.versions[entry.versions.length - 1].versionHash,
            entry.updatedAt
        );
    }

    function getVersion(bytes32 entryId, uint256 index)
        external
        view
        returns (
            bytes32 versionHash,
            bytes32 previousHash,
            uint8 sharingClass,
            uint64 publishedAt,
            address publisher
        )
    {
        Entry storage entry = _entries[entryId];
        require(entry.status != STATUS_NONE, "DataCatalog: unknown entry");
        require(index < entry.versions.length, "DataCatalog: version out of range");
        Version storage version = entry.versions[index];
        return (version.versionHash, version.previousHash, version.sharingClass, version.publishedAt, version.publisher);
    }

    /// @notice Which entry and version index a version hash belongs to.
    function versionByHash(bytes32 versionHash) external view returns (bytes32 entryId, uint256 index) {
        VersionRef storage ref = _versionRefs[versionHash];
        require(ref.entryId != bytes32(0), "DataCatalog: unknown version hash");
        return (ref.entryId, ref.index);
    }

    function providerOf(bytes32 entryId) external view returns (bytes32) {
        return _entries[entryId].provider;
    }

    function sharingClassOf(bytes32 entryId) external view returns (uint8) {
        require(_entries[entryId].status != STATUS_NONE, "DataCatalog: unknown entry");
        return _entries[entryId].sharingClass;
    }

    /// @notice STATUS_NONE (0) for an unknown entry.
    function statusOf(bytes32 entryId) external view returns (uint8) {
        return _entries[entryId].status;
    }

    function latestVersionHash(bytes32 entryId) external view returns (bytes32) {
        Entry storage entry = _entries[entryId];
        require(entry.status != STATUS_NONE, "DataCatalog: unknown entry");
        return entry.versions[entry.versions.length - 1].versionHash;
    }

    function entryCount() external view returns (uint256) {
        return _entryIds.length;
    }

    function entryIdAt(uint256 index) external view returns (bytes32) {
        require(index < _entryIds.length, "DataCatalog: index out of range");
        return _entryIds[index];
    }

    function _appendVersion(
        bytes32 entryId,
        Entry storage entry,
        bytes32 versionHash,
        bytes32 previousHash,
        uint8 sharingClass
    ) private {
        require(versionHash != bytes32(0), "DataCatalog: version hash is empty");
        require(_versionRefs[versionHash].entryId == bytes32(0), "DataCatalog: version hash already recorded");
        entry.versions.push(Version(versionHash, previousHash, sharingClass, uint64(block.timestamp), msg.sender));
        entry.sharingClass = sharingClass;
        entry.updatedAt = uint64(block.timestamp);
        _versionRefs[versionHash] = VersionRef(entryId, entry.versions.length - 1);
    }

    /// @dev The provider's own active account, or a governor (the office) acting for an active provider.
    function _authoriseProvider(bytes32 provider) private view {
        if (registry.isGovernor(msg.sender)) {
            require(registry.statusOf(provider) == MEMBER_ACTIVE, "DataCatalog: provider is not an active member");
            return;
        }
        _authoriseOwner(provider);
    }

    function _authoriseOwner(bytes32 provider) private view {
        bytes32 caller = registry.memberCodeOf(msg.sender);
        require(caller != bytes32(0), "DataCatalog: caller is not a member or governor");
        require(caller == provider, "DataCatalog: caller is not the entry's provider");
        require(registry.statusOf(caller) == MEMBER_ACTIVE, "DataCatalog: caller is not an active member");
    }

    function _checkSharingClass(uint8 sharingClass) private pure {
        require(sharingClass <= SHARING_NOT_SHARED, "DataCatalog: invalid sharing class");
    }
}
