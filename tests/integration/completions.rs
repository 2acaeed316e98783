//! `mqsim completions SHELL`: each script names every subcommand that
//! `mqsim --help` lists, and the bash one completes in a real bash.

use crate::common::mqsim;

/// The subcommands `mqsim --help` lists (without `help`).
fn subcommands() -> Vec<String> {
    let help = mqsim().arg("--help").assert().success();
    let text = String::from_utf8(help.get_output().stdout.clone()).unwrap();
    let commands = &text[text.find("Commands:\n").unwrap()..];
    let commands = &commands[..commands.find("\n\n").unwrap()];
    let names: Vec<String> = commands
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect();
    for expected in [
        "run", "sweep", "plan", "check", "validate", "merge", "schema",
    ] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
    names
}

fn script(shell: &str) -> String {
    let out = mqsim().args(["completions", shell]).assert().success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn every_shell_script_names_every_subcommand() {
    let commands = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let text = script(shell);
        assert!(text.len() > 1000, "{shell}: {} bytes", text.len());
        for command in &commands {
            assert!(text.contains(command.as_str()), "{shell} lacks {command}");
        }
    }
    mqsim().args(["completions", "tcsh"]).assert().code(2);
}

/// Sourced in bash, the script completes `mqsim s` to the subcommands
/// that start with `s`, and `mqsim run --thr` to `--threads`.
#[test]
fn the_bash_script_completes_in_bash() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("no bash here: skipped");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mqsim.bash");
    std::fs::write(&path, script("bash")).unwrap();
    let complete = |words: &str, cword: usize| {
        let program = format!(
            "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_LINE='{words}'; \
             COMP_POINT=${{#COMP_LINE}}; \
             _mqsim mqsim \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            path.display()
        );
        let out = std::process::Command::new("bash")
            .args(["-c", &program])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let s = complete("mqsim s", 1);
    let mut got: Vec<&str> = s.lines().collect();
    got.sort_unstable();
    assert_eq!(got, ["schema", "sweep"], "{s}");
    assert_eq!(complete("mqsim run --thr", 2).trim(), "--threads");
}
