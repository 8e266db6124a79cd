import FlexyVismaCommands

UmbrellaCommand.mainWithDispatch()
