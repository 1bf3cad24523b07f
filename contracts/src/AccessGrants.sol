// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

import "./Interfaces.sol";

/// @title AccessGrants
/// @notice Access applications (申请) by a consumer member for a catalogue entry, approved
/// (审批) or rejected by the entry's provider or the office, with the administrative matter
/// (事项) that is their legal basis, a purpose, the allowed fields and an expiry; revocable.
/// @dev Lifecycle: applied -> approved -> revoked, or applied -> rejected. Expiry is compared
/// with block.timestamp, so `expiresAt` uses the chain's timestamp unit (milliseconds on
/// FISCO BCOS). Field names are bytes32 (short ASCII names, or digests of longer ones).
contract AccessGrants {
    uint8 public constant STATUS_NONE = 0;
    uint8 public constant STATUS_APPLIED = 1;
    uint8 public constant STATUS_APPROVED = 2;
    uint8 public constant STATUS_REJECTED = 3;
    uint8 public constant STATUS_REVOKED = 4;

    uint8 private constant MEMBER_ACTIVE = 2;
    uint32 private constant ROLE_CONSUMER = 2;
    uint8 private constant ENTRY_PUBLISHED = 1;
    uint8 private constant SHARING_NOT_SHARED = 2;

    struct Grant {
        bytes32 entryId;
        bytes32 consumer;
        bytes32 matterCode;
        string purpose;
        uint8 status;
        uint64 requestedExpiry;
        uint64 expiresAt;
        uint64 updatedAt;
        bytes32 entryVersion;
        bytes32[] requestedFields;
        bytes32[] allowedFields;
    }

    IMemberRegistry public registry;
    IDataCatalog public catalog;
    mapping(bytes32 => Grant) private _grants;
    bytes32[] private _grantIds;

    event GrantApplied(
        bytes32 indexed grantId,
        bytes32 indexed entryId,
        bytes32 indexed consumer,
        bytes32 matterCode,
        uint64 requestedExpiry,
        address by
    );
    event GrantApproved(
        bytes32 indexed grantId,
        bytes32 indexed entryId,
        bytes32 indexed consumer,
        bytes32 entryVersion,
        uint64 expiresAt,
        address by
    );
    event GrantRejected(bytes32 indexed grantId, address indexed by, string reason);
    event GrantRevoked(bytes32 indexed grantId, address indexed by, string reason);

    constructor(address memberRegistry, address dataCatalog) public {
        require(memberRegistry != address(0), "AccessGrants: registry is the zero address");
        require(dataCatalog != address(0), "AccessGrants: catalog is the zero address");
        registry = IMemberRegistry(memberRegistry);
        catalog = IDataCatalog(dataCatalog);
    }

    /// @notice Apply for access to `entryId` on behalf of `consumer` (its own account, or the office).
    function applyForAccess(
        bytes32 grantId,
        bytes32 entryId,
        bytes32 consumer,
        bytes32 matterCode,
        string memory purpose,
        bytes32[] memory fields,
        uint64 requestedExpiry
    ) public {
        require(grantId != bytes32(0), "AccessGrants: grant id is empty");
        require(_grants[grantId].status == STATUS_NONE, "AccessGrants: grant already exists");
        require(matterCode != bytes32(0), "AccessGrants: matter code is empty");
        require(bytes(purpose).length > 0, "AccessGrants: purpose is empty");
        require(fields.length > 0, "AccessGrants: no fields requested");
        require(requestedExpiry > block.timestamp, "AccessGrants: expiry is not in the future");
        _authoriseConsumer(consumer);
        _checkEntryShared(entryId);
        Grant storage grant = _grants[grantId];
        grant.entryId = entryId;
        grant.consumer = consumer;
        grant.matterCode = matterCode;
        grant.purpose = purpose;
        grant.status = STATUS_APPLIED;
        grant.requestedExpiry = requestedExpiry;
        grant.updatedAt = uint64(block.timestamp);
        grant.requestedFields = fields;
        _grantIds.push(grantId);
        emit GrantApplied(grantId, entryId, consumer, matterCode, requestedExpiry, msg.sender);
    }

    /// @notice Approve an application with the allowed fields (a subset of those requested)
    /// and an expiry no later than requested. Records the entry's current version.
    function approveGrant(
        bytes32 grantId,
        bytes32[] memory fieldsAllowed,
        uint64 expiresAt
    ) public {
        Grant storage grant = _grants[grantId];
        require(grant.status != STATUS_NONE, "AccessGrants: unknown grant");
        require(grant.status == STATUS_APPLIED, "AccessGrants: grant is not applied");
        _authoriseProvider(grant.entryId);
        _checkEntryShared(grant.entryId);
        require(registry.statusOf(grant.consumer) == MEMBER_ACTIVE, "AccessGrants: consumer is not an active member");
        require(fieldsAllowed.length > 0, "AccessGrants: no fields allowed");
        require(expiresAt > block.timestamp, "AccessGrants: expiry is not in the future");
        require(expiresAt <= grant.requestedExpiry, "AccessGrants: expiry is later than requested");
        for (uint256 i = 0; i < fieldsAllowed.length; i++) {
            require(_contains(grant.requestedFields, fieldsAllowed[i]), "AccessGrants: field was not requested");
        }
        bytes32 version = catalog.latestVersionHash(grant.entryId);
        grant.status = STATUS_APPROVED;
        grant.expiresAt = expiresAt;
        grant.entryVersion = version;
        grant.allowedFields = fieldsAllowed;
        grant.updatedAt = uint64(block.timestamp);
        emit GrantApproved(grantId, grant.entryId, grant.consumer, version, expiresAt, msg.sender);
    }

    function rejectGrant(bytes32 grantId, string memory reason) public {
        Grant storage grant = _grants[grantId];
        require(grant.status != STATUS_NONE, "AccessGrants: unknown grant");
        require(grant.status == STATUS_APPLIED, "AccessGrants: grant is not applied");
        _authoriseProvider(grant.entryId);
        grant.status = STATUS_REJECTED;
        grant.updatedAt = uint64(block.timestamp);
        emit GrantRejected(grantId, msg.sender, reason);
    }

    /// @notice Revoke an approved grant: by the provider, the office, or the consumer itself
    /// (giving it up). Suspended or revoked members' grants may still be revoked by the office.
    function revokeGrant(bytes32 grantId, string memory reason) public {
        Grant storage grant = _grants[grantId];
        require(grant.status != STATUS_NONE, "AccessGrants: unknown grant");
        require(grant.status == STATUS_APPROVED, "AccessGrants: grant is not approved");
        if (!registry.isGovernor(msg.sender)) {
            bytes32 caller = registry.memberCodeOf(msg.sender);
            require(caller != bytes32(0), "AccessGrants: caller is not a member or governor");
            require(
                caller == catalog.providerOf(grant.entryId) || caller == grant.consumer,
                "AccessGrants: caller is neither the provider nor the consumer"
            );
            require(registry.statusOf(caller) == MEMBER_ACTIVE, "AccessGrants: caller is not an active member");
        }
        grant.status = STATUS_REVOKED;
        grant.updatedAt = uint64(block.timestamp);
        emit GrantRevoked(grantId, msg.sender, reason);
    }

    function getGrant(bytes32 grantId)
        external
        view
        returns (
            bytes32 entryId,
            bytes32 consumer,
            bytes32 matterCode,
            string memory purpose,
            uint8 status,
            uint64 expiresAt,
            bytes32 entryVersion
        )
    {
        Grant storage grant = _grants[grantId];
        require(grant.status != STATUS_NONE, "AccessGrants: unknown grant");
        uint64 expiry = grant.status == STATUS_APPLIED ? grant.requestedExpiry : grant.expiresAt;
        return (grant.entryId, grant.consumer, grant.matterCode, grant.purpose, grant.status, expiry, grant.entryVersion);
    }

    function requestedFields(bytes32 grantId) external view returns (bytes32[] memory) {
        require(_grants[grantId].status != STATUS_NONE, "AccessGrants: unknown grant");
        return _grants[grantId].requestedFields;
    }

    function allowedFields(bytes32 grantId) external view returns (bytes32[] memory) {
        require(_grants[grantId].status != STATUS_NONE, "AccessGrants: unknown grant");
        return _grants[grantId].allowedFields;
    }

    /// @notice STATUS_NONE (0) for an unknown grant.
    function statusOf(bytes32 grantId) external view returns (uint8) {
        return _grants[grantId].status;
    }

    /// @notice True while the grant is approved, unexpired, its entry published and shared,
    /// and both its consumer and the entry's provider are active members.
    function isUsable(bytes32 grantId) external view returns (bool) {
        Grant storage grant = _grants[grantId];
        if (grant.status != STATUS_APPROVED || block.timestamp >= grant.expiresAt) {
            return false;
        }
        if (
            catalog.statusOf(grant.entryId) != ENTRY_PUBLISHED ||
            catalog.sharingClassOf(grant.entryId) == SHARING_NOT_SHARED
        ) {
            return false;
        }
        return
            registry.statusOf(grant.consumer) == MEMBER_ACTIVE &&
            registry.statusOf(catalog.providerOf(grant.entryId)) == MEMBER_ACTIVE;
    }

    function isFieldAllowed(bytes32 grantId, bytes32 field) external view returns (bool) {
        Grant storage grant = _grants[grantId];
        return grant.status == STATUS_APPROVED && _contains(grant.allowedFields, field);
    }

    function grantCount() external view returns (uint256) {
        return _grantIds.length;
    }

    function grantIdAt(uint256 index) external view returns (bytes32) {
        require(index < _grantIds.length, "AccessGrants: index out of range");
        return _grantIds[index];
    }

    /// @dev The consumer's own active account, or a governor applying for an active consumer.
    function _authoriseConsumer(bytes32 consumer) private view {
        if (registry.isGovernor(msg.sender)) {
            require(registry.statusOf(consumer) == MEMBER_ACTIVE, "AccessGrants: consumer is not an active member");
        } else {
            bytes32 caller = registry.memberCodeOf(msg.sender);
            require(caller != bytes32(0), "AccessGrants: caller is not a member or governor");
            require(caller == consumer, "AccessGrants: caller is not the consumer");
            require(registry.statusOf(caller) == MEMBER_ACTIVE, "AccessGrants: caller is not an active member");
        }
        require(registry.hasRole(consumer, ROLE_CONSUMER), "AccessGrants: member lacks the consumer role");
    }

    /// @dev The entry's provider's own active account, or a governor (the office).
    function _authoriseProvider(bytes32 entryId) private view {
        if (registry.isGovernor(msg.sender)) {
            return;
        }
        bytes32 caller = registry.memberCodeOf(msg.sender);
        require(caller != bytes32(0), "AccessGrants: caller is not a member or governor");
        require(caller == catalog.providerOf(entryId), "AccessGrants: caller is not the entry's provider");
        require(registry.statusOf(caller) == MEMBER_ACTIVE, "AccessGrants: caller is not an active member");
    }

    function _checkEntryShared(bytes32 entryId) private view {
        uint8 status = catalog.statusOf(entryId);
        require(status != 0, "AccessGrants: unknown entry");
        require(status == ENTRY_PUBLISHED, "AccessGrants: entry is retired");
        require(catalog.sharingClassOf(entryId) != SHARING_NOT_SHARED, "AccessGrants: entry is not shared");
    }

    function _contains(bytes32[] storage items, bytes32 item) private view returns (bool) {
        for (uint256 i = 0; i < items.length; i++) {
            if (items[i] == item) {
                return true;
            }
        }
        return false;
    }
}
