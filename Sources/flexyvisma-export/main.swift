import FlexyVismaCommands

ExecutableStartup.harden()
ExportCommand.main()
