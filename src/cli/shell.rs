//! Shell completions and the man page, generated from the command line's definition.

use clap::{Args, CommandFactory};
use std::io::Write as _;
use std::process::ExitCode;

pub(super) const COMPLETIONS_EXAMPLES: &str = "\
Examples:
  # bash: load now, or put the file where your system keeps completions
  source <(gleaner completions bash)
  gleaner completions bash > ~/.local/share/bash-completion/completions/gleaner

  # zsh: a file named _gleaner in a folder of your $fpath
  gleaner completions zsh > ~/.zfunc/_gleaner

  # fish
  gleaner completions fish > ~/.config/fish/completions/gleaner.fish";

pub(super) const MAN_EXAMPLES: &str = "\
Examples:
  # Read it now
  gleaner man | man -l -

  # Install every page: gleaner(1), gleaner-run(1), gleaner-test(1), …
  gleaner man --dir ~/.local/share/man/man1";

#[derive(Args, Debug)]
pub(super) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub(super) fn completions(args: CompletionsArgs) -> std::io::Result<ExitCode> {
    let shell = args.shell;
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "gleaner", &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub(super) struct ManArgs {
    /// Write every page (gleaner.1, gleaner-run.1, …) into this folder instead
    /// of printing gleaner(1).
    #[arg(long, value_name = "DIR")]
    dir: Option<std::path::PathBuf>,
}

/// Prints `gleaner(1)`, or writes it and a page per command into a folder.
pub(super) fn man(args: ManArgs) -> std::io::Result<ExitCode> {
    let cmd = super::Cli::command();
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)?;
            clap_mangen::generate_to(cmd, &dir)?;
            let mut pages: Vec<String> = std::fs::read_dir(&dir)?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("gleaner") && n.ends_with(".1"))
                .collect();
            pages.sort();
            println!(
                "wrote {} pages into {}: {}",
                pages.len(),
                dir.display(),
                pages.join(" ")
            );
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out)?;
            std::io::stdout().lock().write_all(&out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
