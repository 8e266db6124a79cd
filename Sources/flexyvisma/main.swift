import FlexyVismaCommands

ExecutableStartup.harden()
UmbrellaCommand.mainWithDispatch()
