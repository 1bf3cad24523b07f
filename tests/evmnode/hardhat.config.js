// Hardhat Network as a loopback EVM consortium-chain stand-in for the EVM adapter's tests.
// Nothing is compiled (no sources): the tests deploy the committed solc-0.8.11 artefacts, so
// no compiler is ever downloaded.
module.exports = {
  paths: { sources: "./no-sources", cache: "./cache", artifacts: "./artifacts" },
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "london",
      allowUnlimitedContractSize: false,
      mining: { auto: true, interval: 0 },
    },
  },
};
