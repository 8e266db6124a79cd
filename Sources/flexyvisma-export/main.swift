import FlexyVismaCommands

ExportCommand.main()
