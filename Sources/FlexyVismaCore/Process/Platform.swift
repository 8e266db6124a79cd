#if !os(Linux)
#error("FlexyVisma runs on Linux only: it uses Glibc, /proc/self/exe and prctl (docs/ARCHITECTURE.md, \"Platform\")")
#endif
