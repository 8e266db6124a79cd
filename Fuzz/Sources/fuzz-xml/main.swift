import FuzzSupport

runLibFuzzer(fuzzXML)
