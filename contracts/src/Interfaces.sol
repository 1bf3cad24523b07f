// SPDX-License-Identifier: Apache-2.0
pragma solidity >=0.6.10 <0.9.0;

/// @notice What DataCatalog and AccessGrants read from MemberRegistry.
interface IMemberRegistry {
    function isGovernor(address account) external view returns (bool);

    function memberCodeOf(address account) external view returns (bytes32);

    function statusOf(bytes32 code) external view returns (uint8);

    function hasRole(bytes32 code, uint32 role) external view returns (bool);
}

/// @notice What AccessGrants reads from DataCatalog.
interface IDataCatalog {
    function providerOf(bytes32 entryId) external view returns (bytes32);

    function sharingClassOf(bytes32 entryId) external view returns (uint8);

    function statusOf(bytes32 entryId) external view returns (uint8);

    function latestVersionHash(bytes32 entryId) external view returns (bytes32);
}
