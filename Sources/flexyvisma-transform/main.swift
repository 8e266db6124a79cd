import FlexyVismaCommands

TransformCommand.main()
