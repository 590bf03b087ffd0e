import ArgumentParser
import Gateway

@main
struct RelayMain {
    static func main() async {
        await RelayCommand.main()
    }
}
