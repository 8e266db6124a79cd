import FlexyVismaCommands

@main
enum UploadMain {
    static func main() async {
        ExecutableStartup.harden()
        await UploadCommand.main(nil)
    }
}
