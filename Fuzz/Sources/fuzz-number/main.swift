import FuzzSupport

runLibFuzzer(fuzzNumber)
