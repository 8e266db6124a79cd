import FlexyVismaCommands

@main
enum ValidateMain {
    static func main() async {
        ExecutableStartup.harden()
        await ValidateCommand.main(nil)
    }
}
