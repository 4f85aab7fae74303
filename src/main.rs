fn main() -> std::process::ExitCode {
    gleaner::cli::main()
}
