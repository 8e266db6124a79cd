import FuzzSupport

runLibFuzzer(fuzzManifestConfig)
