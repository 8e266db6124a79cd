import FlexyVismaCommands

ValidateCommand.main()
