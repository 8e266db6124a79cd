import FlexyVismaCommands

@main
enum UploadMain {
    static func main() async {
        await UploadCommand.main(nil)
    }
}
