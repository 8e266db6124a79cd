import FlexyVismaCommands

@main
enum ValidateMain {
    static func main() async {
        await ValidateCommand.main(nil)
    }
}
