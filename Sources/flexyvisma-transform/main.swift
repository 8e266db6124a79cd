import FlexyVismaCommands

ExecutableStartup.harden()
TransformCommand.main()
